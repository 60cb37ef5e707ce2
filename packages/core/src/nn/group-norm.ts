import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import { Module } from './module';
import type { Norm2d } from './norm2d';
import { normalize } from './normalize';
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
    const [batch, height, width] = x.shape;
    const y = normalize(x, {
      view: [batch, height, width, this.numGroups, channels / this.numGroups],
      axes: [1, 2, 4],
      weight,
      bias,
      eps: this.eps,
    });
    if (!this.weight) tf.dispose([weight, bias]);
    return y;
  }
}
