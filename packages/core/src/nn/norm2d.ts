import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module';

/** A normalization over NHWC channels (BatchNorm2d, GroupNorm) as conv blocks use it. */
export interface Norm2d extends Module {
  readonly numChannels: number;
  /** Whether {@link channelAffine} currently returns the norm's whole effect (so it can be folded into a conv). */
  readonly hasFixedAffine: boolean;
  /**
   * @param x `[B, H, W, C]` float32; not disposed
   * @returns the normalized `[B, H, W, C]`; caller owns
   */
  forward(x: tf.Tensor4D): tf.Tensor4D;
  /**
   * The per-channel `(scale, shift)` the norm currently applies (`y = x * scale + shift`), or
   * undefined where it depends on the batch (BatchNorm in training, GroupNorm). Caller owns.
   */
  channelAffine(): [scale: tf.Tensor1D, shift: tf.Tensor1D] | undefined;
}
