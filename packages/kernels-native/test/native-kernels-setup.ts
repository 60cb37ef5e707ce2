/**
 * A vitest setup file that turns the native kernels on for another package's suite, to check its
 * parity tolerances hold with them (the "tests pass with native kernels on and off"):
 * `npx vitest run --config <config extending the package's with setupFiles: [this file]>`.
 * Prints the registration and, after the suite, how often each kernel ran natively. Used for every
 * package's Node tests when `RCNN_NATIVE_KERNELS=1` (tooling/vitest.base.ts), where it fails
 * the suite if the addon does not load.
 */
import '@tensorflow/tfjs-backend-wasm';
import { afterAll } from 'vitest';
import { nativeKernelStats, registerNativeKernels } from '../src/index';

const registration = registerNativeKernels();
console.log('[kernels-native]', JSON.stringify(registration));
if (process.env.RCNN_NATIVE_KERNELS === '1' && registration.native.length === 0) {
  // A pass meant to test the native kernels must not pass silently on wasm's own.
  throw new Error(`RCNN_NATIVE_KERNELS=1 but the native kernels are unavailable: ${registration.reason}`);
}
afterAll(() => {
  console.log('[kernels-native] calls', JSON.stringify(nativeKernelStats()));
});
