import { selectBackend } from '@rcnn/core';
import { type NativeKernelsRegistration, registerNativeKernels } from '@rcnn/kernels-native';
import * as tf from '@tensorflow/tfjs-core';

/** The backends `--backend` accepts. */
export const BACKEND_NAMES = ['wasm', 'cpu', 'webgpu'] as const;

/**
 * Starts the TensorFlow.js backend for a command: the one named, or (none named) wasm with a
 * fallback to cpu, through core's `selectBackend`. Turns on tfjs's production mode first, which
 * drops its debug checks and its console notes (the cpu backend's "looks like you are running
 * TensorFlow.js in Node.js" banner, which would suggest a package that cannot be installed here).
 * On wasm it then registers @rcnn/kernels-native's oneDNN kernels when that addon loads here
 * (`nativeKernelsSummary()` says what ran); `nativeThreads` sets their thread count.
 * @returns the active backend's name
 * @throws RcnnError `BACKEND_UNAVAILABLE` naming what was tried and why it failed
 */
export async function activateBackend(
  requested: string | undefined,
  nativeThreads?: number,
): Promise<string> {
  tf.enableProdMode();
  const name = await selectBackend(
    requested === undefined
      ? { preferred: 'wasm', fallbacks: ['cpu'] }
      : { preferred: requested, fallbacks: [] },
  );
  // On wasm, oneDNN serves the convolutions and matmuls where @rcnn/kernels-native's addon loads
  // (RCNN_NATIVE_KERNELS=0: off; threads: nativeThreads, RCNN_NATIVE_THREADS, else all cores).
  if (name === 'wasm') nativeKernels = registerNativeKernels(nativeThreads ? { threads: nativeThreads } : {});
  return name;
}

let nativeKernels: NativeKernelsRegistration | undefined;

/** One line for `--verbose`: which tfjs kernels run natively since `activateBackend`, or why none do. */
export function nativeKernelsSummary(): string {
  if (!nativeKernels) return 'native kernels: not used (backend is not wasm)';
  if (nativeKernels.native.length === 0)
    return `native kernels: unavailable (${nativeKernels.reason}); wasm kernels run`;
  const { version, threads, native } = nativeKernels;
  return `native kernels: oneDNN ${version}, ${threads} thread(s): ${native.join(', ')}`;
}
