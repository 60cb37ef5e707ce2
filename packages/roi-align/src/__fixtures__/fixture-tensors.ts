// Test helper (not published: __fixtures__ is excluded from the package): fixture entries as tensors.
import { deterministicTensor, readSafetensors, type StateDict } from '@rcnn/core';
import { readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';

/** Reads `src/__fixtures__/<name>` (written by tools/reference/gen_roi_align.py). */
export function loadFixture(name: string): { entries: StateDict; metadata: Record<string, string> } {
  const file = readSafetensors(readFixtureBytes(new URL('../x.test.ts', import.meta.url).href, name));
  return { entries: file.tensors, metadata: file.metadata };
}

/** One entry as a tensor of its stored dtype (float32 or int32). */
export function fixtureTensor(entries: StateDict, key: string): tf.Tensor {
  const entry = entries.get(key);
  if (!entry) throw new Error(`fixture has no entry '${key}'`);
  return tf.tensor(entry.data as Float32Array | Int32Array, [...entry.shape], entry.dtype === 'int32' ? 'int32' : 'float32');
}

/** One entry's data, for comparisons. */
export function fixtureData(entries: StateDict, key: string): Float32Array | Int32Array {
  const entry = entries.get(key);
  if (!entry) throw new Error(`fixture has no entry '${key}'`);
  return entry.data as Float32Array | Int32Array;
}

/** The loss weights the generator used: detweights.tensor("roi_align/<key>/weights", shape), NHWC. */
export function lossWeights(key: string, shape: readonly number[]): tf.Tensor {
  return tf.tensor(deterministicTensor(`roi_align/${key}/weights`, shape), [...shape]);
}

/** d/d(inputs) of sum(f(inputs) * weights), every input's gradient; caller owns. */
export function weightedGradients(f: (...inputs: tf.Tensor[]) => tf.Tensor, weights: tf.Tensor, inputs: tf.Tensor[]): tf.Tensor[] {
  return tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights)))(inputs);
}
