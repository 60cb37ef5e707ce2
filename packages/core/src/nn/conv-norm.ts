import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import type { Conv2d } from './conv2d';
import type { ConvActivation } from './conv2d-op';
import { DerivedTensors } from './derived-tensors';
import type { Norm2d } from './norm2d';
import { isRecordingGradients } from './recording';

/**
 * A convolution followed by a norm (and an activation), as ResNet blocks use them. Both modules
 * stay registered by their owner under their torchvision names (`conv1`/`bn1`,
 * `downsample.0`/`downsample.1`); this object only runs them.
 *
 * Where the norm is a fixed per-channel affine (FrozenBatchNorm2d, or BatchNorm2d in eval) and
 * no gradient is being recorded, the norm is folded into the conv once (`W * scale`,
 * `bias * scale + shift`) and the folded filter is cached until a weight changes: inference runs
 * one fused conv. While training or recording gradients it runs conv, then the norm, so every
 * gradient follows torch's graph.
 */
export class ConvNorm {
  readonly #folded = new DerivedTensors<[tf.Tensor4D, tf.Tensor1D]>();

  constructor(
    readonly conv: Conv2d,
    readonly norm: Norm2d,
  ) {}

  /**
   * @param x `[B, H, W, conv.inChannels]` float32; not disposed
   * @returns `[B, H', W', conv.outChannels]`; caller owns
   */
  forward(x: tf.Tensor4D, activation: ConvActivation = 'linear'): tf.Tensor4D {
    const { conv, norm } = this;
    if (norm.training || !norm.hasFixedAffine || isRecordingGradients()) {
      return tf.tidy(() => {
        const y = norm.forward(conv.forward(x, 'linear'));
        return activation === 'relu' ? tf.relu(y) : y;
      });
    }
    const inputs: tf.Tensor[] = [
      conv.weight.variable,
      ...(conv.bias ? [conv.bias.variable] : []),
      ...norm.namedEntries().map(([, entry]) => entry.variable),
    ];
    const folded = this.#folded.get(inputs, () => {
      const affine = norm.channelAffine();
      if (!affine) throw new RcnnError('UNSUPPORTED', 'ConvNorm: the norm has no fixed affine to fold');
      const [scale, shift] = affine;
      const filter = tf.mul(conv.weight.variable, scale) as tf.Tensor4D;
      const bias = conv.bias ? tf.add(tf.mul(conv.bias.variable, scale), shift) : shift;
      return [filter, bias as tf.Tensor1D];
    });
    return conv.convolve(x, folded[0], folded[1], activation);
  }

  /** Releases the folded-filter cache (the modules themselves belong to their owner). */
  dispose(): void {
    this.#folded.dispose();
  }
}
