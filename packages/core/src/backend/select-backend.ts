import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';

/** Imports a backend package, whose side effect registers the backend with tfjs-core. */
export type BackendLoader = () => Promise<unknown>;

/**
 * How `selectBackend` loads the backends it knows by name. They are optional peer
 * dependencies: install the ones you use. Bundlers resolve these imports at build
 * time; if yours fails on a backend you did not install, pass your own `loaders`.
 */
export const DEFAULT_BACKEND_LOADERS: Readonly<Record<string, BackendLoader>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
};

export interface SelectBackendOptions {
  /** Backend to try first, e.g. `'webgpu'`, `'wasm'`, `'cpu'`, or any registered name (`'webgl'`). */
  readonly preferred?: string;
  /** What to try after `preferred`, in order. Default: `defaultBackendOrder()`. */
  readonly fallbacks?: readonly string[];
  /** Extra or replacement loaders by backend name (merged over `DEFAULT_BACKEND_LOADERS`). */
  readonly loaders?: Readonly<Record<string, BackendLoader>>;
}

/** True under Node.js (and runtimes that present themselves as Node, like Bun). */
export function isNodeRuntime(): boolean {
  const runtime = globalThis as { process?: { versions?: { node?: unknown } } };
  return typeof runtime.process?.versions?.node === 'string';
}

/** Node: `['wasm', 'cpu']` (XNNPACK SIMD, no setWasmPaths needed); browsers and workers: `['webgpu', 'wasm', 'cpu']`. */
export function defaultBackendOrder(): string[] {
  return isNodeRuntime() ? ['wasm', 'cpu'] : ['webgpu', 'wasm', 'cpu'];
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Picks, loads and activates the first TensorFlow.js backend that starts here: the
 * `preferred` one, then the fallbacks. A backend the app already registered (imported)
 * is used as is; a known one is imported on demand. This sets the global tfjs
 * backend, so call it once at application start-up; @rcnn library functions never
 * call it (they run on whatever backend is active).
 * In browsers the wasm backend fetches its .wasm files from next to its script; serve
 * them or call `setWasmPaths` (from @tensorflow/tfjs-backend-wasm) before this.
 * @returns the name of the active backend (what `tf.getBackend()` now reports).
 * @throws RcnnError `BACKEND_UNAVAILABLE` listing every backend tried and why it failed.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<string> {
  const order = [options.preferred, ...(options.fallbacks ?? defaultBackendOrder())].filter(
    (name, i, all): name is string => typeof name === 'string' && name !== '' && all.indexOf(name) === i,
  );
  const loaders = { ...DEFAULT_BACKEND_LOADERS, ...options.loaders };
  const failures: string[] = [];
  for (const name of order) {
    try {
      if (!tf.findBackendFactory(name)) {
        const load = loaders[name];
        if (!load) {
          failures.push(`${name} (not registered, and no loader for it)`);
          continue;
        }
        await load();
        if (!tf.findBackendFactory(name)) {
          failures.push(
            `${name} (its package loaded but did not register it: not supported in this environment)`,
          );
          continue;
        }
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
      failures.push(`${name} (failed to initialise)`);
    } catch (error) {
      failures.push(`${name} (${reason(error)})`);
    }
  }
  throw new RcnnError(
    'BACKEND_UNAVAILABLE',
    `no TensorFlow.js backend could be started; tried ${failures.join(', ') || 'nothing'}`,
  );
}
