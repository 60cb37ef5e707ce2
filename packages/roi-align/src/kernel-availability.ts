import * as tf from '@tensorflow/tfjs-core';

/** Whether `kernelName` is registered for the active backend (else the ops fall back to composed references). */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}
