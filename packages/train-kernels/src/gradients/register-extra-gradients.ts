import * as tf from '@tensorflow/tfjs-core';
import { gatherNdGradConfig } from './gather-nd-grad';
import { zeroGradientConfigs } from './zero-gradients';

/**
 * Registers the gradients tfjs-core 4.22 lacks and a detector's training needs (comparison and
 * logical kernels: zero; GatherNd), each only where none is registered. Called by the
 * `@rcnn/train-kernels/register-gradients` entry after tfjs-core's own.
 */
export function registerExtraGradients(): void {
  for (const config of [...zeroGradientConfigs, gatherNdGradConfig]) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
}
