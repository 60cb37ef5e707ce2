import { selectBackend } from '@rcnn/core';
import {
  type NativeKernelsRegistration,
  nativeKernelsAvailable,
  registerNativeKernels,
  startThreadedWasm,
  unregisterNativeKernels,
  type WasmThreadsResult,
} from '@rcnn/kernels-native';
import * as tf from '@tensorflow/tfjs-core';
import { CliError } from './command';
import type { OptionSpecs } from './parse-arguments';

/** The backends `--backend` accepts. */
export const BACKEND_NAMES = ['wasm', 'cpu', 'webgpu'] as const;

/** `--threads`, for the commands that time or run a detector (predict, bench). */
export const THREADS_OPTION_SPECS: OptionSpecs = {
  threads: {
    type: 'string',
    value: 'N',
    description:
      "CPU threads of the native (oneDNN) kernels on wasm (default: every core, or RCNN_NATIVE_THREADS); without them, N > 1 starts tfjs-wasm's threaded build",
  },
};

/**
 * Reads `--threads`: undefined when absent (every core), else an integer >= 1.
 * @throws CliError (exit 2) naming the bad value
 */
export function parseThreads(text: string | undefined, command: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new CliError(`${command}: --threads must be an integer >= 1, got '${text}'`, 2);
  }
  return value;
}

/**
 * Starts the TensorFlow.js backend for a command: the one named, or (none named) wasm with a
 * fallback to cpu, through core's `selectBackend`. Turns on tfjs's production mode first, which
 * drops its debug checks and its console notes (the cpu backend's "looks like you are running
 * TensorFlow.js in Node.js" banner, which would suggest a package that cannot be installed here).
 * On wasm it then registers @rcnn/kernels-native's oneDNN kernels when that addon loads here
 * (`nativeKernelsSummary()` says what ran); `nativeThreads` sets their thread count. When the
 * addon is unavailable (`RCNN_NATIVE_KERNELS=0`, not built, fails to load), kernels an earlier
 * call registered in this process are removed, so tfjs-wasm's own kernels run, as the summary says;
 * there, `nativeThreads` > 1 on wasm starts tfjs-wasm's threaded build with that many threads
 * (when the wasm backend has not started yet in this process).
 * @returns the active backend's name
 * @throws RcnnError `BACKEND_UNAVAILABLE` naming what was tried and why it failed
 */
export async function activateBackend(
  requested: string | undefined,
  nativeThreads?: number,
): Promise<string> {
  tf.enableProdMode();
  wasmThreads = undefined;
  if ((requested ?? 'wasm') === 'wasm' && nativeThreads !== undefined && nativeThreads > 1) {
    // The pure-wasm path (no native kernels here): tfjs-wasm's threaded build, started by
    // @rcnn/kernels-native's startThreadedWasm, when --threads asks for more than one thread.
    if (!nativeKernelsAvailable().available) {
      wasmThreads = await startThreadedWasm(nativeThreads).catch((error: Error) => ({
        threads: 1,
        reason: `the threaded wasm build failed: ${error.message}`,
      }));
    }
  }
  const name = await selectBackend(
    requested === undefined
      ? { preferred: 'wasm', fallbacks: ['cpu'] }
      : { preferred: requested, fallbacks: [] },
  );
  nativeKernels = undefined;
  // On wasm, oneDNN serves the convolutions and matmuls where @rcnn/kernels-native's addon loads
  // (RCNN_NATIVE_KERNELS=0: off; threads: nativeThreads, RCNN_NATIVE_THREADS, else all cores).
  if (name === 'wasm') {
    nativeKernels = registerNativeKernels(nativeThreads ? { threads: nativeThreads } : {});
    if (nativeKernels.native.length === 0) unregisterNativeKernels();
  }
  return name;
}

let nativeKernels: NativeKernelsRegistration | undefined;
let wasmThreads: WasmThreadsResult | undefined;

/**
 * One line for `--verbose` and `rcnn bench`: which kernels run the convolutions and matmuls since
 * `activateBackend`: oneDNN's (version, threads, kernel names) or the backend's own, with the
 * reason when the native ones are unavailable.
 */
export function nativeKernelsSummary(): string {
  if (!nativeKernels) return "kernels: the backend's own (native kernels serve wasm only)";
  if (nativeKernels.native.length === 0) {
    const threads = wasmThreads
      ? `, ${wasmThreads.threads} thread(s)${wasmThreads.reason ? ` (${wasmThreads.reason})` : ''}`
      : '';
    return `kernels: wasm${threads} (native kernels unavailable: ${nativeKernels.reason})`;
  }
  const { version, threads, native } = nativeKernels;
  return `kernels: native oneDNN ${version}, ${threads} thread(s) for ${native.join(', ')}; others wasm`;
}
