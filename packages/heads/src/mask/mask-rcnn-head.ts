import { type Conv2d, ModuleDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { applyConvStack, createConvStack } from '../layers/conv-stack';
import { ensurePooledFeatures, ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../weighted-module';

/** Options of {@link MaskRcnnHead}. Defaults are torchvision's Mask R-CNN FPN head. */
export interface MaskRcnnHeadOptions {
  /** Channels of the pooled features (256). */
  readonly inChannels?: number;
  /** Output channels of each 3x3 conv (`[256, 256, 256, 256]`). */
  readonly layers?: readonly number[];
  /** Dilation (and padding) of every conv (1). */
  readonly dilation?: number;
  /** Pooled size (14 from the mask RoIAlign). */
  readonly resolution?: number;
  /** Seed of the initial weights (Kaiming normal fan_out, zero bias, as torchvision). */
  readonly seed?: number;
}

/**
 * The mask branch's conv tower (`models/detection/mask_rcnn.py::MaskRCNNHeads`, no norm layer):
 * 3x3 conv + ReLU per entry of `layers`, size kept. Weight names under `roi_heads.mask_head.`:
 * `{i}.0.*` (torchvision >= 0.13) or `mask_fcn{i+1}.*` (older checkpoints, e.g. the COCO
 * weights), both accepted on load.
 */
export class MaskRcnnHead extends WeightedModule {
  readonly defaultPrefix = 'roi_heads.mask_head.';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly resolution: number;
  readonly layers: ModuleDict;
  readonly #convs: Conv2d[];

  constructor({
    inChannels = 256,
    layers = [256, 256, 256, 256],
    dilation = 1,
    resolution = 14,
    seed,
  }: MaskRcnnHeadOptions = {}) {
    super();
    ensurePositiveIntegers('MaskRcnnHead', { inChannels, layers, dilation, resolution });
    this.inChannels = inChannels;
    this.outChannels = layers[layers.length - 1]!;
    this.resolution = resolution;
    const stack = createConvStack({
      inChannels,
      layers,
      nameOf: (i) => `${i}.0`,
      aliasesOf: (i) => [`mask_fcn${i + 1}`],
      dilation,
      seed,
    });
    this.#convs = stack.map(([, conv]) => conv);
    this.layers = new ModuleDict(stack);
  }

  /**
   * @param pooled `[R, 14, 14, inChannels]` float32 NHWC; not disposed
   * @returns `[R, 14, 14, outChannels]` float32; caller owns. Differentiable.
   */
  forward(pooled: tf.Tensor4D): tf.Tensor4D {
    const size = this.resolution;
    ensurePooledFeatures('MaskRcnnHead', pooled, [size, size, this.inChannels]);
    if (pooled.shape[0] === 0) return tf.zeros([0, size, size, this.outChannels]);
    return tf.tidy(() => applyConvStack(this.#convs, pooled));
  }
}
