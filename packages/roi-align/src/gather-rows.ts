import * as tf from '@tensorflow/tfjs-core';

/**
 * `table[indices]` for `table [N, C]`, `indices [M]` int32, with a scatter-add gradient
 * (`scatterND` sums duplicate indices). tfjs's own gather gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks; ScatterNd every backend has.
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  const gather = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [rows, at, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([at]);
    return {
      value: tf.gather(rows, at),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.scatterND(tf.expandDims(saved[0]!, 1), dy, rows.shape),
        tf.zeros(at.shape),
      ],
    };
  });
  return gather(table, indices) as tf.Tensor2D;
}
