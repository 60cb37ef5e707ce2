import { selectBackend } from '@rcnn/core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BACKEND_ORDER, type BackendName, type BackendReport } from '../protocol';

// Vite ships the three .wasm files as hashed assets; tell the wasm backend where they are.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Activates the first backend that starts: `preferred`, then the rest of {@link BACKEND_ORDER}
 * (webgpu, wasm, cpu), recording why each skipped one failed.
 * @param skip backends known not to work here (e.g. one that failed during a detection), with the reason
 * @throws Error listing every failure when none starts (or `strict` and the preferred one fails)
 */
export async function startBackend(
  preferred: BackendName | undefined,
  strict = false,
  skip: ReadonlyMap<BackendName, string> = new Map(),
): Promise<BackendReport> {
  const order =
    strict && preferred ? [preferred] : [...new Set([preferred ?? BACKEND_ORDER[0], ...BACKEND_ORDER])];
  const fallbacks: string[] = [];
  for (const name of order) {
    const skipped = skip.get(name);
    if (skipped !== undefined) {
      fallbacks.push(`${name}: ${skipped}`);
      continue;
    }
    try {
      // One backend at a time, so the failure of each is recorded (selectBackend lists them together).
      const active = await selectBackend({ preferred: name, fallbacks: [] });
      if (active === name) return { backend: name, fallbacks };
      fallbacks.push(`${name}: started ${active} instead`);
    } catch (error) {
      fallbacks.push(
        `${name}: ${reason(error).replace(/^no TensorFlow\.js backend could be started; tried /, '')}`,
      );
    }
  }
  throw new Error(`no backend started: ${fallbacks.join('; ')}`);
}
