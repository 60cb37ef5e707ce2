/**
 * Indices of `scores` ordered by descending score, ties in their original order:
 * `np.argsort(-scores, kind='mergesort')`, the stable sort pycocotools relies on.
 * The index breaks ties, so the result does not depend on the engine's sort stability.
 */
export function descendingScoreOrder(scores: ArrayLike<number>, indices?: Int32Array): Int32Array {
  const order = indices ?? Int32Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order;
}
