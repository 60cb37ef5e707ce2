/**
 * Orders `slots[0..count)` (ascending on entry) by descending `scores[slot]`, ties
 * keeping their order: the stable `np.argsort(-scores, kind='mergesort')` pycocotools
 * uses. Done with two native numeric sorts instead of a comparator (much faster, and
 * fast from the first call): scores are ranked, then `rank * count + position` (exact
 * integers below 2^53) is sorted.
 * @param scratch workspace of at least `count` doubles, twice
 */
export function orderByScore(
  slots: Int32Array,
  count: number,
  scores: Float64Array,
  scratch: { keys: Float64Array; distinct: Float64Array },
): void {
  if (count < 2) return;
  const { keys, distinct } = scratch;
  for (let e = 0; e < count; e++) distinct[e] = -scores[slots[e]];
  // -0 and 0 must rank together, as they compare equal in numpy.
  for (let e = 0; e < count; e++) if (distinct[e] === 0) distinct[e] = 0;
  const sortedScores = distinct.subarray(0, count).sort();
  let unique = 1;
  for (let e = 1; e < count; e++)
    if (sortedScores[e] !== sortedScores[unique - 1]) sortedScores[unique++] = sortedScores[e];
  for (let e = 0; e < count; e++) {
    const key = scores[slots[e]] === 0 ? 0 : -scores[slots[e]];
    keys[e] = rankOf(sortedScores, unique, key) * count + e;
  }
  const sortedKeys = keys.subarray(0, count).sort();
  // Decode positions into `distinct` (free now), then permute the slots.
  for (let e = 0; e < count; e++) distinct[e] = slots[sortedKeys[e] % count];
  for (let e = 0; e < count; e++) slots[e] = distinct[e];
}

/** Index of `value` in the ascending distinct values `sorted[0..length)`. */
function rankOf(sorted: Float64Array, length: number, value: number): number {
  let low = 0;
  let high = length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
