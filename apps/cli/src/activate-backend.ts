import { selectBackend } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** The backends `--backend` accepts. */
export const BACKEND_NAMES = ['wasm', 'cpu', 'webgpu'] as const;

/**
 * Starts the TensorFlow.js backend for a command: the one named, or (none named) wasm with a
 * fallback to cpu, through core's `selectBackend`. Turns on tfjs's production mode first, which
 * drops its debug checks and its console notes (the cpu backend's "looks like you are running
 * TensorFlow.js in Node.js" banner, which would suggest a package that cannot be installed here).
 * @returns the active backend's name
 * @throws RcnnError `BACKEND_UNAVAILABLE` naming what was tried and why it failed
 */
export async function activateBackend(requested: string | undefined): Promise<string> {
  tf.enableProdMode();
  return selectBackend(
    requested === undefined
      ? { preferred: 'wasm', fallbacks: ['cpu'] }
      : { preferred: requested, fallbacks: [] },
  );
}
