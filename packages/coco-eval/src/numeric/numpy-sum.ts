/**
 * Sum of `values[start..end)` added in numpy's order (`pairwise_sum` in
 * numpy/core/src/umath/loops_utils.h): fewer than 8 numbers are added one by one,
 * up to 128 with 8 running sums, more are split in two halves (rounded down to a
 * multiple of 8) and each half summed the same way. This is what `np.sum`/`np.mean`
 * of a contiguous float64 array computes, so means come out bit-identical.
 */
export function numpySum(values: ArrayLike<number>, start = 0, end = values.length): number {
  const count = end - start;
  if (count < 8) {
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i];
    return sum;
  }
  if (count <= 128) {
    let r0 = values[start];
    let r1 = values[start + 1];
    let r2 = values[start + 2];
    let r3 = values[start + 3];
    let r4 = values[start + 4];
    let r5 = values[start + 5];
    let r6 = values[start + 6];
    let r7 = values[start + 7];
    const blockEnd = start + count - (count % 8);
    let i = start + 8;
    for (; i < blockEnd; i += 8) {
      r0 += values[i];
      r1 += values[i + 1];
      r2 += values[i + 2];
      r3 += values[i + 3];
      r4 += values[i + 4];
      r5 += values[i + 5];
      r6 += values[i + 6];
      r7 += values[i + 7];
    }
    let sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < end; i++) sum += values[i];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return numpySum(values, start, start + half) + numpySum(values, start + half, end);
}

/** `np.mean` of a contiguous float64 array: numpy's pairwise sum divided by the count. */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}
