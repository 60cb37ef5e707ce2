import { type Conv2d, ModuleDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { applyConvStack, createConvStack } from '../layers/conv-stack';
import { ensurePooledFeatures, ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../weighted-module';

/** Options of {@link KeypointRcnnHead}. Defaults are torchvision's keypoint R-CNN. */
export interface KeypointRcnnHeadOptions {
  /** Channels of the pooled features (256). */
  readonly inChannels?: number;
  /** Output channels of each 3x3 conv (eight times 512). */
  readonly layers?: readonly number[];
  /** Pooled size (14). */
  readonly resolution?: number;
  /** Seed of the initial weights (Kaiming normal fan_out, zero bias, as torchvision). */
  readonly seed?: number;
}

/**
 * The keypoint branch's conv tower (`models/detection/keypoint_rcnn.py::KeypointRCNNHeads`):
 * 3x3 conv + ReLU per entry of `layers`. torchvision builds it as a Sequential of conv, ReLU
 * pairs, so conv i is named `{2i}.*` under `roi_heads.keypoint_head.`.
 */
export class KeypointRcnnHead extends WeightedModule {
  readonly defaultPrefix = 'roi_heads.keypoint_head.';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly resolution: number;
  readonly layers: ModuleDict;
  readonly #convs: Conv2d[];

  constructor({
    inChannels = 256,
    layers = [512, 512, 512, 512, 512, 512, 512, 512],
    resolution = 14,
    seed,
  }: KeypointRcnnHeadOptions = {}) {
    super();
    ensurePositiveIntegers('KeypointRcnnHead', { inChannels, layers, resolution });
    this.inChannels = inChannels;
    this.outChannels = layers[layers.length - 1]!;
    this.resolution = resolution;
    const stack = createConvStack({ inChannels, layers, nameOf: (i) => `${2 * i}`, seed });
    this.#convs = stack.map(([, conv]) => conv);
    this.layers = new ModuleDict(stack);
  }

  /**
   * @param pooled `[R, 14, 14, inChannels]` float32 NHWC; not disposed
   * @returns `[R, 14, 14, outChannels]` float32; caller owns. Differentiable.
   */
  forward(pooled: tf.Tensor4D): tf.Tensor4D {
    const size = this.resolution;
    ensurePooledFeatures('KeypointRcnnHead', pooled, [size, size, this.inChannels]);
    if (pooled.shape[0] === 0) return tf.zeros([0, size, size, this.outChannels]);
    return tf.tidy(() => applyConvStack(this.#convs, pooled));
  }
}
