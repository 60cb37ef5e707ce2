import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import { Module } from './module';
import type { Norm2d } from './norm2d';
import { normalize } from './normalize';
import type { Parameter } from './parameter';

/** Options of {@link BatchNorm2d}. */
export interface BatchNorm2dOptions {
  /** torch default 1e-5 (also torchvision 0.14's FrozenBatchNorm2d). */
  readonly eps?: number;
  /** Running-statistics update factor (torch: `new = (1 - momentum) * old + momentum * batch`). Default 0.1. */
  readonly momentum?: number;
  /**
   * torchvision `ops/misc.py::FrozenBatchNorm2d`: all four entries are buffers (never trained)
   * and the running statistics are used in training too. Default false (torch `nn.BatchNorm2d`).
   */
  readonly frozen?: boolean;
}

/**
 * torch `nn.BatchNorm2d` (trainable) or torchvision `FrozenBatchNorm2d` (frozen), NHWC.
 * Entries `weight`, `bias`, `running_mean`, `running_var` (`num_batches_tracked` is neither read
 * nor written: with momentum set it changes nothing, and torch fills it in on load).
 * - frozen, or not training: `x * scale + shift` with `scale = weight * rsqrt(running_var + eps)`,
 *   `shift = bias - running_mean * scale` (FrozenBatchNorm2d's arithmetic);
 * - training (not frozen): batch mean and biased variance over N, H, W normalize `x`; the running
 *   statistics move by `momentum` toward the batch mean and the unbiased batch variance.
 */
export class BatchNorm2d extends Module implements Norm2d {
  readonly numChannels: number;
  readonly eps: number;
  readonly momentum: number;
  readonly frozen: boolean;
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly runningMean: Parameter;
  readonly runningVar: Parameter;

  constructor(numChannels: number, { eps = 1e-5, momentum = 0.1, frozen = false }: BatchNorm2dOptions = {}) {
    super();
    if (
      !Number.isInteger(numChannels) ||
      numChannels < 1 ||
      !(eps >= 0) ||
      !(momentum >= 0 && momentum <= 1)
    ) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `BatchNorm2d: channels ${numChannels}, eps ${eps}, momentum ${momentum} out of range`,
      );
    }
    this.numChannels = numChannels;
    this.eps = eps;
    this.momentum = momentum;
    this.frozen = frozen;
    const torchShape = [numChannels];
    this.weight = this.addParameter({ name: 'weight', torchShape, buffer: frozen, init: { kind: 'ones' } });
    this.bias = this.addParameter({ name: 'bias', torchShape, buffer: frozen });
    this.runningMean = this.addParameter({ name: 'running_mean', torchShape, buffer: true });
    this.runningVar = this.addParameter({
      name: 'running_var',
      torchShape,
      buffer: true,
      init: { kind: 'ones' },
    });
  }

  /** Whether the batch statistics are used (training and not frozen). */
  get usesBatchStatistics(): boolean {
    return this.training && !this.frozen;
  }

  get hasFixedAffine(): boolean {
    return !this.usesBatchStatistics;
  }

  channelAffine(): [tf.Tensor1D, tf.Tensor1D] | undefined {
    if (this.usesBatchStatistics) return undefined;
    return tf.tidy(() => {
      const scale = tf.mul(this.weight.variable, tf.rsqrt(tf.add(this.runningVar.variable, this.eps)));
      const shift = tf.sub(this.bias.variable, tf.mul(this.runningMean.variable, scale));
      return [scale as tf.Tensor1D, shift as tf.Tensor1D];
    });
  }

  /**
   * @param x `[B, H, W, C]` float32; not disposed
   * @returns `[B, H, W, C]`; caller owns. In training (not frozen) also updates the running statistics.
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const affine = this.channelAffine();
      if (affine) return tf.add(tf.mul(x, affine[0]), affine[1]);
      const count = x.size / this.numChannels;
      if (count < 2) {
        throw new RcnnError(
          'INVALID_SHAPE',
          `BatchNorm2d in training needs more than 1 value per channel, got [${x.shape.join(', ')}]`,
        );
      }
      return normalize(x, {
        view: x.shape,
        axes: [0, 1, 2],
        weight: this.weight.variable,
        bias: this.bias.variable,
        eps: this.eps,
        onStatistics: (mean, variance) =>
          this.#updateRunningStatistics(
            tf.reshape(mean, [this.numChannels]),
            tf.reshape(variance, [this.numChannels]),
            count,
          ),
      });
    });
  }

  #updateRunningStatistics(mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
    const m = this.momentum;
    tf.tidy(() => {
      const unbiased = tf.mul(variance, count / (count - 1));
      this.runningMean.variable.assign(tf.add(tf.mul(this.runningMean.variable, 1 - m), tf.mul(mean, m)));
      this.runningVar.variable.assign(tf.add(tf.mul(this.runningVar.variable, 1 - m), tf.mul(unbiased, m)));
    });
  }
}
