import * as tf from '@tensorflow/tfjs-core';

/** The start of the banner tfjs-backend-cpu 4.22 prints in Node (through tfjs-core's `log.warn`). */
export const TFJS_NODE_BANNER = 'Hi, looks like you are running TensorFlow.js in Node.js';

/**
 * Silences TensorFlow.js's console notes in this process: sets tfjs-core's `PROD` flag,
 * which is what `tf.enableProdMode()` does. In tfjs 4.22 that flag gates only tfjs-core's
 * `log.warn` / `log.log` and its environment warnings, among them the cpu backend's banner
 * ({@link TFJS_NODE_BANNER} ... "install our node backend"), printed by
 * `MathBackendCPU.write` on each backend instance's first write when `IS_NODE` (once per
 * test process), "Platform node has already been set" and "The kernel ... is already
 * registered". No kernel, check or result changes. (`IS_TEST` would silence the same notes
 * but also turns on tfjs's per-kernel memory-leak checks, so it is not used.)
 * Global to the process's tfjs engine: for test setup and applications, never library code.
 */
export function quietTfjs(): void {
  tf.env().set('PROD', true);
}
