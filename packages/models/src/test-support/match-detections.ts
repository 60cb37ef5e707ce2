/** Plain-array detections of one image (either side of a comparison). */
export interface PlainDetections {
  readonly boxes: Float32Array; // [N * 4] xyxy
  readonly scores: Float32Array;
  readonly labels: Int32Array | Float32Array;
}

export function iou(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const ax1 = a[4 * i]!;
  const ay1 = a[4 * i + 1]!;
  const ax2 = a[4 * i + 2]!;
  const ay2 = a[4 * i + 3]!;
  const bx1 = b[4 * j]!;
  const by1 = b[4 * j + 1]!;
  const bx2 = b[4 * j + 2]!;
  const by2 = b[4 * j + 3]!;
  const w = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const h = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const inter = w * h;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : ax1 === bx1 && ay1 === by1 && ax2 === bx2 && ay2 === by2 ? 1 : 0;
}

/** The outcome of matching our detections to torchvision's one to one. */
export interface DetectionMatch {
  /** `[ours, theirs]` index pairs. */
  readonly pairs: [number, number][];
  /** Our unmatched indices. */
  readonly oursUnmatched: number[];
  /** Their unmatched indices. */
  readonly theirsUnmatched: number[];
  readonly maxBoxDiff: number;
  readonly maxScoreDiff: number;
}

/**
 * Matches detections one to one: for each of theirs (by decreasing score), our unmatched
 * detection with the same label, IoU above `minIou` and the closest score. Order is not
 * compared: scores have near-ties ~1e-6 apart, so equal sets may be ordered differently.
 */
export function matchDetections(
  ours: PlainDetections,
  theirs: PlainDetections,
  { minIou = 0.99 }: { minIou?: number } = {},
): DetectionMatch {
  const n = ours.scores.length;
  const m = theirs.scores.length;
  const used = new Uint8Array(n);
  const pairs: [number, number][] = [];
  const theirsUnmatched: number[] = [];
  let maxBoxDiff = 0;
  let maxScoreDiff = 0;
  for (let j = 0; j < m; j++) {
    let best = -1;
    let bestScoreDiff = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (used[i] || ours.labels[i] !== theirs.labels[j]) continue;
      if (iou(ours.boxes, i, theirs.boxes, j) <= minIou) continue;
      const scoreDiff = Math.abs(ours.scores[i]! - theirs.scores[j]!);
      if (scoreDiff < bestScoreDiff) {
        best = i;
        bestScoreDiff = scoreDiff;
      }
    }
    if (best < 0) {
      theirsUnmatched.push(j);
      continue;
    }
    used[best] = 1;
    pairs.push([best, j]);
    maxScoreDiff = Math.max(maxScoreDiff, bestScoreDiff);
    for (let k = 0; k < 4; k++) {
      maxBoxDiff = Math.max(maxBoxDiff, Math.abs(ours.boxes[4 * best + k]! - theirs.boxes[4 * j + k]!));
    }
  }
  const oursUnmatched: number[] = [];
  for (let i = 0; i < n; i++) if (!used[i]) oursUnmatched.push(i);
  return { pairs, oursUnmatched, theirsUnmatched, maxBoxDiff, maxScoreDiff };
}

/**
 * Unmatched detections are allowed only as swaps at the top-k cut: each must score within
 * `tolerance` of the lowest kept score on its side (a near-tie decides which one makes the cut).
 */
export function unmatchedAtCut(
  unmatched: readonly number[],
  scores: Float32Array,
  tolerance: number,
): boolean {
  if (unmatched.length === 0) return true;
  const lowest = Math.min(...scores);
  return unmatched.every((i) => scores[i]! - lowest <= tolerance);
}

/** IoU of two binary masks given as 0/1 arrays of the same length (1 when both are empty). */
export function maskIou(
  a: ArrayLike<number>,
  aOffset: number,
  b: ArrayLike<number>,
  bOffset: number,
  size: number,
) {
  let inter = 0;
  let union = 0;
  for (let p = 0; p < size; p++) {
    const x = a[aOffset + p]! > 0;
    const y = b[bOffset + p]! > 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}
