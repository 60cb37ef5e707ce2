import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels } from '../src/register-training-kernels';
registerTrainingKernels();
for (const b of ['cpu', 'wasm']) {
  await tf.setBackend(b);
  const x = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
  console.log(b, Array.from(tf.unsortedSegmentSum(x, tf.tensor1d([-1, 3, 1], 'int32'), 3).dataSync()));
}
