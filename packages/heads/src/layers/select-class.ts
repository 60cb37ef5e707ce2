import * as tf from '@tensorflow/tfjs-core';

/**
 * Channel `labels[i]` of each `[H, W, K]` map: `[P, H, W, K]` -> `[P, H, W]` (a one-hot weighted
 * sum over K, so gradients reach only the chosen channel). Call inside `tf.tidy`.
 */
export function selectClassChannel(maps: tf.Tensor4D, labels: tf.Tensor1D): tf.Tensor3D {
  const [count, , , classes] = maps.shape;
  const oneHot = tf.reshape(tf.cast(tf.oneHot(labels, classes), 'float32'), [count, 1, 1, classes]);
  return tf.sum(tf.mul(maps, oneHot), 3) as tf.Tensor3D;
}

/** Column `labels[i]` of each row: `[P, K]` -> `[P]`. Call inside `tf.tidy`. */
export function selectClassColumn(values: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const oneHot = tf.cast(tf.oneHot(labels, values.shape[1]), 'float32');
  return tf.sum(tf.mul(values, oneHot), 1) as tf.Tensor1D;
}
