import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

type Numeric = tf.Tensor | ArrayLike<number>;

function toArray(value: Numeric): Float64Array {
  if (value instanceof tf.Tensor) return Float64Array.from(value.dataSync());
  return Float64Array.from(value as ArrayLike<number>);
}

/** ||a - b|| / ||b|| (L2), the relative error the parity tests report. 0 when both are zero. */
export function relativeError(actual: Numeric, expected: Numeric): number {
  const a = toArray(actual);
  const b = toArray(expected);
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  if (norm === 0) return Math.sqrt(diff);
  return Math.sqrt(diff / norm);
}

/** Largest |a - b| over all elements. */
export function maxAbsDiff(actual: Numeric, expected: Numeric): number {
  const a = toArray(actual);
  const b = toArray(expected);
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/**
 * Asserts shape (when both are tensors) and elementwise |a - b| <= atol + rtol * |b|,
 * reporting the worst element. NaN must match NaN.
 */
export function expectTensorsClose(
  actual: Numeric,
  expected: Numeric,
  { atol = 1e-5, rtol = 1e-5 }: { atol?: number; rtol?: number } = {},
): void {
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    expect(actual.shape, 'shape').toEqual(expected.shape);
  }
  const a = toArray(actual);
  const b = toArray(expected);
  expect(a.length, 'element count').toBe(b.length);
  let worstIndex = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i]!) && Number.isNaN(a[i]!)) continue;
    const excess = Math.abs(a[i]! - b[i]!) - (atol + rtol * Math.abs(b[i]!));
    if (!(excess <= worstExcess)) {
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
      worstIndex = i;
    }
  }
  if (worstIndex >= 0) {
    throw new Error(
      `tensors differ at flat index ${worstIndex}: actual ${a[worstIndex]} vs expected ${b[worstIndex]} (atol ${atol}, rtol ${rtol}, max |diff| ${maxAbsDiff(a, b)})`,
    );
  }
}
