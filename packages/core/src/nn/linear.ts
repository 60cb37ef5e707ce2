import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import type { FlattenedFrom } from '../weights/torch-layout';
import type { ConvActivation } from './conv2d-op';
import { Module } from './module';
import type { Initializer, Parameter } from './parameter';

/** Options of {@link Linear} (torch `nn.Linear` arguments). */
export interface LinearOptions {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Whether it has a `bias` entry. Default true (torch). */
  readonly bias?: boolean;
  /** Default torch's: uniform ±1/sqrt(inFeatures) (kaiming_uniform with a = sqrt(5)). */
  readonly weightInit?: Initializer;
  /** Default torch's: uniform ±1/sqrt(inFeatures). */
  readonly biasInit?: Initializer;
  /**
   * When the layer reads features flattened from a `[C, H, W]` map: torch flattens NCHW
   * (C, H, W order), the caller flattens NHWC (H, W, C); the weight's columns are permuted on
   * load and back on save, so torch checkpoints give torch's outputs. `C * H * W` must be `inFeatures`.
   */
  readonly flattenedFrom?: FlattenedFrom;
}

/**
 * torch `nn.Linear`: `weight` `[out, in]` held `[in, out]` (so the forward is one `x @ W`),
 * optional `bias` `[out]`.
 */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(options: LinearOptions) {
    super();
    const { inFeatures, outFeatures, flattenedFrom } = options;
    if (![inFeatures, outFeatures].every((n) => Number.isInteger(n) && n > 0)) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `Linear: features ${inFeatures} -> ${outFeatures} must be positive integers`,
      );
    }
    if (flattenedFrom && flattenedFrom[0] * flattenedFrom[1] * flattenedFrom[2] !== inFeatures) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `Linear: flattenedFrom [${flattenedFrom.join(', ')}] does not hold ${inFeatures} features`,
      );
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.addParameter({
      name: 'weight',
      torchShape: [outFeatures, inFeatures],
      init: options.weightInit ?? { kind: 'uniform', bound },
      ...(flattenedFrom ? { flattenedFrom } : {}),
    });
    this.bias =
      (options.bias ?? true)
        ? this.addParameter({
            name: 'bias',
            torchShape: [outFeatures],
            init: options.biasInit ?? { kind: 'uniform', bound },
          })
        : undefined;
  }

  /**
   * @param x `[N, inFeatures]` float32; not disposed
   * @returns `[N, outFeatures]`; caller owns. Differentiable.
   */
  forward(x: tf.Tensor2D, activation: ConvActivation = 'linear'): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new RcnnError(
        'INVALID_SHAPE',
        `Linear expects [N, ${this.inFeatures}], got [${x.shape.join(', ')}]`,
      );
    }
    return tf.fused.matMul({
      a: x,
      b: this.weight.variable as tf.Tensor2D,
      ...(this.bias ? { bias: this.bias.variable } : {}),
      activation,
    }) as tf.Tensor2D;
  }
}
