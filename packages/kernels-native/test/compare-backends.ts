import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { maxAbsDiff, relativeError, seededRandom, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { nativeKernelStats } from '../src/kernel-stats';
import { nativeKernelsAvailable } from '../src/register-native-kernels';

/** Whether the addon loads here; tests that need it skip with `availability.reason`. */
export const availability = nativeKernelsAvailable();
export const skipReason = availability.available ? '' : ` (skipped: ${availability.reason})`;

/** Uniform [-1, 1) values of `shape`, reproducible from `seed`. */
export function randomValues(shape: number[], seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => random() * 2 - 1);
}

/** Runs `fn` on `backend` and downloads every tensor it returns. */
export async function resultsOn(
  backend: 'cpu' | 'wasm',
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<tf.Tensor[]> {
  await useBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const copies = list.map((tensor) => ({ shape: tensor.shape, values: tensor.dataSync().slice() }));
  tf.dispose(list);
  await useBackend('cpu');
  return copies.map(({ shape, values }) => tf.tensor(values, shape));
}

function count(kernelName: string, field: 'native' | 'fallback'): number {
  return nativeKernelStats()[kernelName]?.[field] ?? 0;
}

/**
 * Runs `fn` on the cpu backend (tfjs's reference kernels) and on wasm with the native kernels
 * registered; asserts `kernelName` ran natively (or fell back, when `expectFallback`) and that
 * the results agree to `tolerance` in relative L2 error and elementwise
 * (|a - b| <= tolerance * max|b|).
 */
export async function expectWasmMatchesCpu(
  kernelName: string,
  fn: () => tf.Tensor | tf.Tensor[],
  { tolerance = 1e-4, expectFallback = false } = {},
): Promise<void> {
  const expected = await resultsOn('cpu', fn);
  const nativeBefore = count(kernelName, 'native');
  const fallbackBefore = count(kernelName, 'fallback');
  const actual = await resultsOn('wasm', fn);
  if (expectFallback)
    expect(count(kernelName, 'fallback'), `${kernelName} fell back`).toBeGreaterThan(fallbackBefore);
  else {
    expect(count(kernelName, 'native'), `${kernelName} ran natively`).toBeGreaterThan(nativeBefore);
    expect(count(kernelName, 'fallback'), `${kernelName} did not fall back`).toBe(fallbackBefore);
  }
  expect(actual.length).toBe(expected.length);
  actual.forEach((tensor, i) => {
    const reference = expected[i]!;
    expect(tensor.shape).toEqual(reference.shape);
    expect(relativeError(tensor, reference)).toBeLessThan(tolerance);
    const scale = maxAbsDiff(reference, new Float32Array(tf.util.sizeFromShape(reference.shape)));
    expect(maxAbsDiff(tensor, reference)).toBeLessThanOrEqual(tolerance * Math.max(scale, 1e-6));
  });
  tf.dispose([...actual, ...expected]);
}
