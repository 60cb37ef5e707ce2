import * as tf from '@tensorflow/tfjs-core';

/**
 * `GatherNd`'s gradient, which tfjs-core 4.22 lacks: the output gradient scattered back into the
 * params' shape, `dParams = scatterND(indices, dy, params.shape)` (ScatterNd sums duplicate
 * indices, as torch's index_put with accumulate does); the integer indices get zeros.
 */
export const gatherNdGradConfig: tf.GradConfig = {
  kernelName: tf.GatherNd,
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [params, indices] = saved as [tf.Tensor, tf.Tensor];
    return {
      params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
      indices: () => tf.zeros(indices.shape, 'float32'),
    };
  },
};
