import * as tf from '@tensorflow/tfjs-core';
import { Linear } from '../layers/linear';
import type { Parameter } from '../layers/parameter';
import { ensurePooledFeatures, ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../layers/weighted-module';

/** Options of {@link TwoMlpHead}. Defaults are torchvision's FPN box head. */
export interface TwoMlpHeadOptions {
  /** Channels of the pooled features (256 for FPN). */
  readonly inChannels?: number;
  /** Pooled `[height, width]` (7x7 from the box RoIAlign). */
  readonly resolution?: readonly [number, number];
  /** Width of both hidden layers (1024). */
  readonly representationSize?: number;
  /** Seed of the initial weights (torch `nn.Linear` default: uniform +-1/sqrt(fan_in)). */
  readonly seed?: number;
}

/**
 * The box head torchvision uses with FPN (`models/detection/faster_rcnn.py::TwoMLPHead`):
 * flatten, fc6 + ReLU, fc7 + ReLU. Reads NHWC pooled features; fc6's columns are permuted
 * at load because torch flattens (C, H, W) and we flatten (H, W, C), so torchvision weights
 * give torchvision's outputs. Parameters: `fc6.*`, `fc7.*` under `roi_heads.box_head.`.
 */
export class TwoMlpHead extends WeightedModule {
  readonly defaultPrefix = 'roi_heads.box_head.';
  readonly inChannels: number;
  readonly resolution: readonly [number, number];
  readonly representationSize: number;
  protected readonly parameters: readonly Parameter[];
  readonly #fc6: Linear;
  readonly #fc7: Linear;

  constructor({
    inChannels = 256,
    resolution = [7, 7],
    representationSize = 1024,
    seed,
  }: TwoMlpHeadOptions = {}) {
    super();
    ensurePositiveIntegers('TwoMlpHead', { inChannels, resolution, representationSize });
    this.inChannels = inChannels;
    this.resolution = resolution;
    this.representationSize = representationSize;
    const [height, width] = resolution;
    const inFeatures = inChannels * height * width;
    const fc = (name: string, fanIn: number, outFeatures: number, offset: number) =>
      new Linear({
        name,
        inFeatures: fanIn,
        outFeatures,
        weightInit: { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) },
        biasInit: { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) },
        seed: seed === undefined ? undefined : seed + offset,
        ...(name === 'fc6' ? { flattenedFrom: { channels: inChannels, height, width } } : {}),
      });
    this.#fc6 = fc('fc6', inFeatures, representationSize, 0);
    this.#fc7 = fc('fc7', representationSize, representationSize, 2);
    this.parameters = [...this.#fc6.parameters, ...this.#fc7.parameters];
  }

  /**
   * @param pooled `[R, height, width, inChannels]` float32 NHWC (from the box pooler); not disposed
   * @returns `[R, representationSize]` float32 box features; caller owns. Differentiable.
   */
  forward(pooled: tf.Tensor4D): tf.Tensor2D {
    const [height, width] = this.resolution;
    ensurePooledFeatures('TwoMlpHead', pooled, [height, width, this.inChannels]);
    return tf.tidy(() => {
      const flat = tf.reshape(pooled, [pooled.shape[0], height * width * this.inChannels]) as tf.Tensor2D;
      return this.#fc7.apply(this.#fc6.apply(flat, 'relu'), 'relu');
    });
  }
}
