import * as tf from '@tensorflow/tfjs-core';
import { RoiPool, RoiPoolGrad } from './kernel-names';

/** Gradient of the RoiPool kernel: each bin's gradient goes to its argmax (torchvision's `roi_pool_backward`). */
export const roiPoolGradConfig: tf.GradConfig = {
  kernelName: RoiPool,
  inputsToSave: ['features', 'boxes', 'batchIndices'],
  gradFunc: (dy, saved, attrs) => {
    const [features, boxes, batchIndices] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    return {
      features: () =>
        tf
          .engine()
          .runKernel(RoiPoolGrad, { dy: dy as tf.Tensor, features, boxes, batchIndices }, attrs) as tf.Tensor,
      boxes: () => tf.zeros(boxes.shape),
      batchIndices: () => tf.zeros(batchIndices.shape),
    };
  },
};
