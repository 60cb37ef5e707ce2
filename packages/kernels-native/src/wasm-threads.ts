import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/** What {@link startThreadedWasm} did: the wasm backend's thread count, or why it stayed as it was. */
export interface WasmThreadsResult {
  /** XNNPACK threads of the running wasm backend (1 when the threaded build did not start). */
  threads: number;
  /** Why the threaded build was not started. */
  reason?: string;
}

const WORKER = fileURLToPath(new URL('../wasm-threads-worker.cjs', import.meta.url));
/** emscripten's pthread pool in tfjs-wasm 4.22: 8 workers, plus the main thread. */
const MAX_THREADS = 9;

interface EmscriptenWorker {
  unref?: () => void;
}
interface ThreadedModule {
  PThread?: { unusedWorkers: EmscriptenWorker[]; runningWorkers: EmscriptenWorker[] };
  tfjs: { getThreadsCount(): number };
}

/**
 * Starts tfjs-backend-wasm 4.22's threaded SIMD build in Node with `threads` XNNPACK threads (the
 * pure-wasm path, where the native kernels are unavailable), and makes it the active backend.
 * tfjs turns that build off in Node; four things stand in the way, each handled here without
 * touching tfjs's files: the `WASM_HAS_MULTITHREAD_SUPPORT` flag is false in Node (set true); the
 * pthread worker is given as a `blob:` URL that Node's Worker rejects (`URL.createObjectURL` answers
 * this package's `wasm-threads-worker.cjs` while the backend starts); the pool is capped at half
 * the logical cores that emscripten reads from `os.cpus()` (it sees `2 * threads` while starting;
 * tfjs's `setThreadsCount` alone is ignored); and the idle pthread workers keep Node from exiting
 * (they are unref'd). Call it before anything starts the wasm backend; afterwards it changes
 * nothing and says so.
 */
export async function startThreadedWasm(threads: number): Promise<WasmThreadsResult> {
  const wanted = Math.min(MAX_THREADS, Math.max(1, Math.floor(threads)));
  const running = tf.engine().registry.wasm as unknown as { wasm?: ThreadedModule } | undefined;
  if (running?.wasm) {
    return { threads: running.wasm.tfjs.getThreadsCount(), reason: 'the wasm backend had already started' };
  }
  if (wanted === 1) return { threads: 1, reason: '1 thread asked for' };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(wanted);
  const cpus = os.cpus;
  const createObjectURL = URL.createObjectURL;
  os.cpus = () => {
    const list = cpus();
    return Array.from({ length: 2 * wanted }, (_, index) => list[index % list.length]!);
  };
  URL.createObjectURL = (blob: Blob) =>
    blob.type === 'application/javascript' ? WORKER : createObjectURL(blob);
  try {
    if (!(await tf.setBackend('wasm'))) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      return { threads: 1, reason: 'the threaded wasm build failed to start' };
    }
    await tf.ready();
  } finally {
    os.cpus = cpus;
    URL.createObjectURL = createObjectURL;
  }
  const module = (tf.backend() as unknown as { wasm: ThreadedModule }).wasm;
  const pool = module.PThread;
  for (const worker of [...(pool?.unusedWorkers ?? []), ...(pool?.runningWorkers ?? [])]) worker.unref?.();
  return { threads: module.tfjs.getThreadsCount() };
}
