import { Conv2d, ensure, Linear, ModuleDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { seeded } from '../layers/seeded';
import { ensurePooledFeatures, ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../weighted-module';

/** Options of {@link MaskIouHead}. Defaults are Mask Scoring R-CNN's. */
export interface MaskIouHeadOptions {
  /** Channels of the pooled RoI features (256); the head sees one more (the mask). */
  readonly inChannels?: number;
  /** Pooled size S (14); the predicted mask is 2S x 2S (28) and is max-pooled to S. */
  readonly resolution?: number;
  /** Channels of the four 3x3 convs (256). */
  readonly convChannels?: number;
  /** Width of the two hidden FC layers (1024). */
  readonly fcSize?: number;
  /** Outputs, one MaskIoU per class including background (91). */
  readonly numClasses?: number;
  /** Seed of the initial weights (convs Kaiming normal fan_out, FCs Kaiming uniform, output normal std 0.01). */
  readonly seed?: number;
}

/**
 * The MaskIoU head of Mask Scoring R-CNN (Huang et al. 2019): predicts, per class, the IoU of
 * the predicted mask with its ground truth. Input: the RoI features concatenated (channels
 * last: features, then mask) with the class's predicted 28x28 mask max-pooled 2x2 to 14x14;
 * four 3x3 convs + ReLU (the last with stride 2 and padding 1: 14 -> 7), flatten, two FC 1024
 * + ReLU, FC to `numClasses`. There is no torchvision counterpart; weights are named after the
 * reference implementation (`maskiou_fcn1..4`, `maskiou_fc1`, `maskiou_fc2`, `maskiou`, torch
 * layouts, fc1 reading C,H,W-flattened features as a torch port would) under `roi_heads.mask_iou_head.`.
 */
export class MaskIouHead extends WeightedModule {
  readonly defaultPrefix = 'roi_heads.mask_iou_head.';
  readonly inChannels: number;
  readonly resolution: number;
  readonly numClasses: number;
  readonly layers: ModuleDict;
  readonly #convs: Conv2d[];
  readonly #fcs: Linear[];
  readonly #output: Linear;

  constructor({
    inChannels = 256,
    resolution = 14,
    convChannels = 256,
    fcSize = 1024,
    numClasses = 91,
    seed,
  }: MaskIouHeadOptions = {}) {
    super();
    ensurePositiveIntegers('MaskIouHead', { inChannels, resolution, convChannels, fcSize, numClasses });
    ensure(
      resolution % 2 === 0,
      'INVALID_ARGUMENT',
      () => `MaskIouHead resolution must be even, got ${resolution}`,
    );
    this.inChannels = inChannels;
    this.resolution = resolution;
    this.numClasses = numClasses;
    const seedAt = (offset: number) => (seed === undefined ? undefined : seed + offset);
    this.#convs = [0, 1, 2, 3].map(
      (i) =>
        new Conv2d({
          inChannels: i === 0 ? inChannels + 1 : convChannels,
          outChannels: convChannels,
          kernelSize: 3,
          stride: i === 3 ? 2 : 1,
          padding: 1,
          weightInit: seeded({ kind: 'normal', std: Math.sqrt(2 / (convChannels * 9)) }, seedAt(2 * i)),
          biasInit: { kind: 'zeros' },
        }),
    );
    const pooled = resolution / 2;
    const flat = convChannels * pooled * pooled;
    this.#fcs = [0, 1].map(
      (i) =>
        new Linear({
          inFeatures: i === 0 ? flat : fcSize,
          outFeatures: fcSize,
          weightInit: seeded(
            { kind: 'uniform', bound: Math.sqrt(6 / (i === 0 ? flat : fcSize)) },
            seedAt(8 + 2 * i),
          ),
          biasInit: { kind: 'zeros' },
          ...(i === 0 ? { flattenedFrom: [convChannels, pooled, pooled] as const } : {}),
        }),
    );
    this.#output = new Linear({
      inFeatures: fcSize,
      outFeatures: numClasses,
      weightInit: seeded({ kind: 'normal', std: 0.01 }, seedAt(12)),
      biasInit: { kind: 'zeros' },
    });
    this.layers = new ModuleDict([
      ...this.#convs.map((conv, i) => [`maskiou_fcn${i + 1}`, conv] as const),
      ...this.#fcs.map((fc, i) => [`maskiou_fc${i + 1}`, fc] as const),
      ['maskiou', this.#output],
    ]);
  }

  /**
   * @param features `[R, S, S, inChannels]` float32 pooled RoI features (the mask branch's input); not disposed
   * @param maskProbabilities `[R, 2S, 2S]` float32 predicted mask (sigmoid) of each RoI's class; not disposed
   * @returns `[R, numClasses]` float32 predicted MaskIoU per class; caller owns. Differentiable in both inputs.
   */
  forward(features: tf.Tensor4D, maskProbabilities: tf.Tensor3D): tf.Tensor2D {
    const size = this.resolution;
    ensurePooledFeatures('MaskIouHead', features, [size, size, this.inChannels]);
    const count = features.shape[0];
    ensure(
      maskProbabilities.rank === 3 &&
        maskProbabilities.shape[0] === count &&
        maskProbabilities.shape[1] === 2 * size &&
        maskProbabilities.shape[2] === 2 * size,
      'INVALID_SHAPE',
      () =>
        `MaskIouHead expects masks [${count}, ${2 * size}, ${2 * size}], got [${maskProbabilities.shape.join(', ')}]`,
    );
    if (count === 0) return tf.zeros([0, this.numClasses]);
    return tf.tidy(() => {
      const mask = tf.maxPool(tf.expandDims(maskProbabilities, 3) as tf.Tensor4D, 2, 2, 'valid');
      let hidden = tf.concat([features, mask], 3);
      for (const conv of this.#convs) hidden = conv.forward(hidden, 'relu');
      let flat = tf.reshape(hidden, [count, -1]) as tf.Tensor2D;
      for (const fc of this.#fcs) flat = fc.forward(flat, 'relu');
      return this.#output.forward(flat);
    });
  }
}
