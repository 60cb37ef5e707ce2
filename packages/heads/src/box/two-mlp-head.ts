import { Linear, ModuleDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { seeded } from '../layers/seeded';
import { ensurePooledFeatures, ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../weighted-module';

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
  readonly layers: ModuleDict;
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
    const fc = (fanIn: number, offset: number, flattenedFrom?: readonly [number, number, number]) => {
      const init = { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) } as const;
      const seedAt = (i: number) => (seed === undefined ? undefined : seed + offset + i);
      return new Linear({
        inFeatures: fanIn,
        outFeatures: representationSize,
        weightInit: seeded(init, seedAt(0)),
        biasInit: seeded(init, seedAt(1)),
        ...(flattenedFrom ? { flattenedFrom } : {}),
      });
    };
    this.#fc6 = fc(inFeatures, 0, [inChannels, height, width]);
    this.#fc7 = fc(representationSize, 2);
    this.layers = new ModuleDict([
      ['fc6', this.#fc6],
      ['fc7', this.#fc7],
    ]);
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
      return this.#fc7.forward(this.#fc6.forward(flat, 'relu'), 'relu');
    });
  }
}
