import * as tf from '@tensorflow/tfjs-core';

/** `sign(x) * floor(|x| + 0.5)`: C's `round` (tfjs's `round` is half-to-even), as RoIPool quantizes. */
export function roundHalfAwayFromZero(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sign(x), tf.floor(tf.add(tf.abs(x), 0.5))));
}
