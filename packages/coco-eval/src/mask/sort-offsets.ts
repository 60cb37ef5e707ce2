/**
 * Sorts `values[0..count)` ascending with a natural merge sort: boundary offsets come
 * out of the polygon walk as a few monotone runs (one per side of the shape), so
 * reversing the descending runs and merging takes a few linear passes, where a
 * general sort call costs far more for the usual few hundred values.
 * @param scratch at least `count` values of workspace
 */
export function sortOffsets(values: Uint32Array, count: number, scratch: Uint32Array): void {
  if (count < 2) return;
  // Run boundaries: runs are [starts[i], starts[i + 1]).
  const starts: number[] = [0];
  let i = 1;
  while (i < count) {
    const runStart = i - 1;
    if (values[i] < values[i - 1]) {
      while (i < count && values[i] < values[i - 1]) i++;
      values.subarray(runStart, i).reverse();
    } else {
      while (i < count && values[i] >= values[i - 1]) i++;
    }
    starts.push(i);
    i++;
  }
  if (starts[starts.length - 1] !== count) starts.push(count);
  if (starts.length > 64) {
    values.subarray(0, count).sort();
    return;
  }
  let source = values;
  let target = scratch;
  let bounds = starts;
  while (bounds.length > 2) {
    const merged: number[] = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const end = r + 2 < bounds.length ? bounds[r + 2] : bounds[r + 1];
      mergeRuns(source, bounds[r], bounds[r + 1], end, target);
      merged.push(end);
    }
    bounds = merged;
    const swap = source;
    source = target;
    target = swap;
  }
  if (source !== values) values.set(source.subarray(0, count));
}

/** Merges the sorted runs [start, middle) and [middle, end) of `source` into `target` at start. */
function mergeRuns(
  source: Uint32Array,
  start: number,
  middle: number,
  end: number,
  target: Uint32Array,
): void {
  let a = start;
  let b = middle;
  let out = start;
  while (a < middle && b < end) target[out++] = source[a] <= source[b] ? source[a++] : source[b++];
  while (a < middle) target[out++] = source[a++];
  while (b < end) target[out++] = source[b++];
}
