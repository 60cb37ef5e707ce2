import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Runs `fn` once to warm up (kernels may cache tensors on first use), then `repeats`
 * more times, and asserts `tf.memory().numTensors` is back to the post-warm-up
 * baseline. `fn` must dispose what it receives from the code under test.
 */
export async function expectNoLeaks(fn: () => unknown | Promise<unknown>, repeats = 3): Promise<void> {
  await fn();
  const baseline = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) await fn();
  expect(tf.memory().numTensors - baseline, 'tensors leaked over repeated calls').toBe(0);
}

/** Disposes every tensor found (deeply) in `value`: arrays, plain objects, Maps. */
export function disposeAll(value: unknown): void {
  if (value instanceof tf.Tensor) value.dispose();
  else if (Array.isArray(value)) value.forEach(disposeAll);
  else if (value instanceof Map) value.forEach(disposeAll);
  else if (value && typeof value === 'object') Object.values(value).forEach(disposeAll);
}
