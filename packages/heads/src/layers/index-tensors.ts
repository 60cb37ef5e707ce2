import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Indices given as a host array or an int32 tensor. */
export type IndexInput = ArrayLike<number> | tf.Tensor1D;

/**
 * The int32 `[N]` tensor for `indices`: the caller's own tensor when it is one (not to be
 * disposed by us), else a new one (inside a tidy, cleaned with it).
 * @throws RcnnError `INVALID_ARGUMENT` on a non-int32 tensor or a length other than `length`
 */
export function toIndexTensor(name: string, indices: IndexInput, length?: number): tf.Tensor1D {
  const tensor = indices instanceof tf.Tensor ? indices : tf.tensor1d(Array.from(indices), 'int32');
  ensure(
    tensor.rank === 1 && tensor.dtype === 'int32',
    'INVALID_ARGUMENT',
    () => `${name} must be int32 [N], got ${tensor.dtype} [${tensor.shape.join(', ')}]`,
  );
  ensure(
    length === undefined || tensor.shape[0] === length,
    'INVALID_SHAPE',
    () => `${name} has ${tensor.shape[0]} entries, expected ${length}`,
  );
  return tensor;
}

/** `-sum(oneHot(labels) * logSoftmax(logits))` per row: `[N, K]` logits, `[N]` int32 labels -> `[N]`. */
export function crossEntropyPerRow(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const logProbabilities = tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), logProbabilities), -1);
  return tf.neg(picked) as tf.Tensor1D;
}

/** A zero scalar that still depends on `tensor` (torchvision's `x.sum() * 0` for empty inputs). */
export function zeroLossOf(tensor: tf.Tensor): tf.Scalar {
  return tf.mul(tf.sum(tensor), 0) as tf.Scalar;
}
