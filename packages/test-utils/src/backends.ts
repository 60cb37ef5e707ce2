import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';

/** The backends Node tests run on. Browser backends (webgpu) run in the browser test project. */
export type NodeBackend = 'cpu' | 'wasm';
export const NODE_BACKENDS: readonly NodeBackend[] = ['cpu', 'wasm'];

/** Switches to `name` and waits until it is ready. */
export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

/**
 * Declares `body` once per backend, as `describe('<title> [<backend>]')`, with the
 * backend selected before its tests run (tfjs's describeWithFlags(ALL_ENVS) idea).
 */
export function describeEachBackend(
  title: string,
  body: (backend: NodeBackend) => void,
  backends: readonly NodeBackend[] = NODE_BACKENDS,
): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(() => useBackend(backend));
      body(backend);
    });
  }
}
