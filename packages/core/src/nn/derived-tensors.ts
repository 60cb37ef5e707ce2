import * as tf from '@tensorflow/tfjs-core';
import { isRecordingGradients } from './recording';

/**
 * Tensors derived from variables (a folded norm's filter, a grouped conv's depthwise filter),
 * computed once for inference and recomputed when any source variable was assigned since
 * (a `Variable.assign` gives it a new `dataId`). While a gradient tape records, nothing is
 * cached: the derivation runs on the tape, so gradients reach the source variables.
 */
export class DerivedTensors<T extends tf.Tensor[]> {
  #sources: readonly object[] = [];
  #cached: T | undefined;

  /**
   * @param sources the tensors the derivation reads (variables)
   * @param derive builds the derived tensors from `sources` (synchronous, tf ops only)
   * @returns cached tensors (owned here; do not dispose) or, while recording, fresh ones
   *   owned by the caller's tidy scope
   */
  get(sources: readonly tf.Tensor[], derive: () => T): T {
    if (isRecordingGradients()) return derive();
    const ids = sources.map((source) => source.dataId);
    const fresh =
      this.#cached && ids.length === this.#sources.length && ids.every((id, i) => id === this.#sources[i]);
    if (!fresh) {
      this.dispose();
      this.#cached = tf.tidy(() => derive().map((tensor) => tensor.clone()) as T);
      for (const tensor of this.#cached) tf.keep(tensor);
      this.#sources = ids;
    }
    return this.#cached!;
  }

  /** Releases the cached tensors (the next `get` derives them again). */
  dispose(): void {
    if (this.#cached) tf.dispose(this.#cached);
    this.#cached = undefined;
    this.#sources = [];
  }
}
