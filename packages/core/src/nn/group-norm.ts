import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import { Module } from './module';
import type { Norm2d } from './norm2d';
import type { Parameter } from './parameter';

/** Options of {@link GroupNorm}. */
export interface GroupNormOptions {
  /** Default 1e-5 (torch). */
  readonly eps?: number;
  /** Per-channel `weight` and `bias` (torch `affine`). Default true. */
  readonly affine?: boolean;
}

/**
 * torch `nn.GroupNorm(num_groups, num_channels)` in NHWC: channels split into `numGroups`
 * consecutive groups, each normalized over (H, W, its channels) with the biased variance, then
 * `* weight + bias` per channel. The same in training and inference (no running statistics).
 */
export class GroupNorm extends Module implements Norm2d {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly weight: Parameter | undefined;
  readonly bias: Parameter | undefined;

  constructor(numGroups: number, numChannels: number, { eps = 1e-5, affine = true }: GroupNormOptions = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0 || !(eps >= 0)) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `GroupNorm: ${numChannels} channels must split into ${numGroups} groups (eps ${eps})`,
      );
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    const torchShape = [numChannels];
    this.weight = affine
      ? this.addParameter({ name: 'weight', torchShape, init: { kind: 'ones' } })
      : undefined;
    this.bias = affine ? this.addParameter({ name: 'bias', torchShape }) : undefined;
  }

  readonly hasFixedAffine = false;

  channelAffine(): undefined {
    return undefined;
  }

  /**
   * @param x `[B, H, W, numChannels]` float32; not disposed
   * @returns `[B, H, W, numChannels]`; caller owns
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    const channels = x.shape[3];
    if (channels !== this.numChannels) {
      throw new RcnnError(
        'INVALID_SHAPE',
        `GroupNorm expects ${this.numChannels} channels, got [${x.shape.join(', ')}]`,
      );
    }
    const weight = this.weight?.variable ?? tf.ones([channels]);
    const bias = this.bias?.variable ?? tf.zeros([channels]);
    const y = groupNorm(x, weight, bias, this.numGroups, this.eps);
    if (!this.weight) tf.dispose([weight, bias]);
    return y;
  }
}

/**
 * `y = (x - mean) / sqrt(var + eps) * weight + bias` over groups of `[B, H, W, G, C/G]`, with its
 * gradient written out (the closed form torch uses): 13 kernels backward where tfjs's automatic
 * gradient of the forward's moments takes 31 (reshapes and copies not counted).
 */
function groupNorm(
  x: tf.Tensor4D,
  weight: tf.Tensor,
  bias: tf.Tensor,
  numGroups: number,
  eps: number,
): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const groupedShape = [batch, height, width, numGroups, channels / numGroups];
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const { normalized, rstd } = tf.tidy(() => {
      const grouped = tf.reshape(input, groupedShape);
      const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
      const rstd = tf.rsqrt(tf.add(variance, eps));
      return { normalized: tf.mul(tf.sub(grouped, mean), rstd), rstd };
    });
    const value = tf.tidy(() =>
      tf.add(tf.mul(tf.reshape(normalized, input.shape), gamma), beta),
    ) as tf.Tensor4D;
    save([normalized, rstd, gamma]);
    tf.dispose([normalized, rstd]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, inverseStd, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor1D];
        const flatXHat = tf.reshape(xHat, input.shape);
        const dWeight = tf.sum(tf.mul(dy, flatXHat), [0, 1, 2]);
        const dBias = tf.sum(dy, [0, 1, 2]);
        // dx = rstd * (dxHat - mean(dxHat) - xHat * mean(dxHat * xHat)), means over each group.
        const dXHat = tf.reshape(tf.mul(dy, scale), groupedShape);
        const meanDXHat = tf.mean(dXHat, [1, 2, 4], true);
        const meanDXHatXHat = tf.mean(tf.mul(dXHat, xHat), [1, 2, 4], true);
        const dGrouped = tf.mul(tf.sub(tf.sub(dXHat, meanDXHat), tf.mul(xHat, meanDXHatXHat)), inverseStd);
        return [tf.reshape(dGrouped, input.shape), dWeight, dBias];
      },
    };
  });
  return op(x, weight, bias) as tf.Tensor4D;
}
