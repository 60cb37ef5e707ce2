/**
 * A vitest setup file that turns the native kernels on for another package's suite, to check its
 * parity tolerances hold with them (the "tests pass with native kernels on and off"):
 * `npx vitest run --config <config extending the package's with setupFiles: [this file]>`.
 * Prints the registration and, after the suite, how often each kernel ran natively.
 */
import '@tensorflow/tfjs-backend-wasm';
import { afterAll } from 'vitest';
import { nativeKernelStats, registerNativeKernels } from '../src/index';

const registration = registerNativeKernels();
console.log('[kernels-native]', JSON.stringify(registration));
afterAll(() => {
  console.log('[kernels-native] calls', JSON.stringify(nativeKernelStats()));
});
