import { FALSE_POSITIVE, type ImageEvaluations, TRUE_POSITIVE } from './evaluate-images';
import { NUMPY_EPSILON } from './object-keypoint-similarity';
import type { EvalParams } from './params';

/**
 * pycocotools `eval` after `accumulate()`: arrays in C order, -1 where a cell was
 * never filled (no non-ignored gt).
 * precision and scores are [T, R, K, A, M]; recall is [T, K, A, M].
 */
export interface Accumulation {
  counts: [T: number, R: number, K: number, A: number, M: number];
  precision: Float64Array;
  recall: Float64Array;
  scores: Float64Array;
}

/**
 * pycocotools `accumulate`: per category, area range and maxDet, every image's first
 * maxDet detections in image order, stably sorted by descending score; cumulative
 * TP/FP per threshold; precision made monotone from the right and read at the first
 * recall >= each recall threshold (searchsorted 'left').
 */
export function accumulateEvaluations(evaluations: ImageEvaluations, params: EvalParams): Accumulation {
  const T = params.iouThrs.length;
  const R = params.recThrs.length;
  const K = evaluations.categoryGroups;
  const A = params.areaRng.length;
  const M = params.maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const { images, present, dtStart, gtStart, dtScores } = evaluations;
  const workspace = new Workspace();
  // Rank of each stored detection within its cell (0 = highest score).
  const rankOfSlot = new Int32Array(dtScores.length);
  for (let cell = 0; cell + 1 < dtStart.length; cell++) {
    for (let slot = dtStart[cell]; slot < dtStart[cell + 1]; slot++) rankOfSlot[slot] = slot - dtStart[cell];
  }
  for (let k = 0; k < K; k++) {
    // Every present image's detections of category k (already cut to maxDets[-1]).
    let total = 0;
    let anyPresent = false;
    for (let i = 0; i < images; i++) {
      const cell = i * K + k;
      if (!present[cell]) continue;
      anyPresent = true;
      total += dtStart[cell + 1] - dtStart[cell];
    }
    if (!anyPresent) continue;
    workspace.reserve(total, T);
    const { slots, ranks, entryOutcomes } = workspace;
    let entry = 0;
    for (let i = 0; i < images; i++) {
      const cell = i * K + k;
      if (present[cell])
        for (let slot = dtStart[cell]; slot < dtStart[cell + 1]; slot++) slots[entry++] = slot;
    }
    // Slots grow with (image, rank), the concatenation order, so they break score ties
    // exactly as the stable sort does; the order for a smaller maxDet is this one
    // filtered to ranks < maxDet.
    const sorted = slots.subarray(0, total).sort((a, b) => dtScores[b] - dtScores[a] || a - b);
    for (let e = 0; e < total; e++) ranks[e] = rankOfSlot[sorted[e]];
    for (let a = 0; a < A; a++) {
      const area = evaluations.perArea[a];
      let nonIgnored = 0;
      for (let i = 0; i < images; i++) {
        const cell = i * K + k;
        if (!present[cell]) continue;
        for (let g = gtStart[cell]; g < gtStart[cell + 1]; g++) if (area.gtIgnore[g] === 0) nonIgnored++;
      }
      if (nonIgnored === 0) continue;
      // Gather the outcomes once (random access), then read them in order for every maxDet.
      gatherOutcomes(area.outcomes, sorted, total, T, entryOutcomes);
      for (let m = 0; m < M; m++) {
        const count = countCurves(workspace, total, Math.max(params.maxDets[m], 0), T, nonIgnored);
        for (let t = 0; t < T; t++) {
          const target = ((t * K + k) * A + a) * M + m;
          recall[target] = count > 0 ? workspace.recallCurve[t * count + count - 1] : 0;
          // precision[t, r, k, a, m] sits at first + r * stride.
          const stride = K * A * M;
          const first = t * R * stride + (k * A + a) * M + m;
          interpolate(
            workspace,
            t * count,
            count,
            params.recThrs,
            precision,
            scores,
            dtScores,
            first,
            stride,
          );
        }
      }
    }
  }
  return { counts: [T, R, K, A, M], precision, recall, scores };
}

/** Copies each sorted entry's T outcomes next to each other (the one random-access pass). */
function gatherOutcomes(
  outcomes: Uint8Array,
  sorted: Int32Array,
  total: number,
  T: number,
  out: Uint8Array,
): void {
  for (let e = 0; e < total; e++) {
    const source = sorted[e] * T;
    const target = e * T;
    for (let t = 0; t < T; t++) out[target + t] = outcomes[source + t];
  }
}

/**
 * One threshold's curve: precision made non-increasing from the right, then read at
 * the first recall >= each recall threshold; thresholds past the last detection stay 0.
 */
function interpolate(
  workspace: Workspace,
  curveStart: number,
  count: number,
  recallThresholds: readonly number[],
  precision: Float64Array,
  scores: Float64Array,
  dtScores: Float64Array,
  first: number,
  stride: number,
): void {
  const { precisionCurve, recallCurve, keptSlots } = workspace;
  for (let e = curveStart + count - 1; e > curveStart; e--) {
    if (precisionCurve[e] > precisionCurve[e - 1]) precisionCurve[e - 1] = precisionCurve[e];
  }
  // searchsorted per threshold; for ascending thresholds a single forward walk finds the same.
  const ascending = isAscending(recallThresholds);
  let position = 0;
  let r = 0;
  for (; r < recallThresholds.length; r++) {
    const threshold = recallThresholds[r];
    if (ascending) while (position < count && recallCurve[curveStart + position] < threshold) position++;
    else position = searchLeft(recallCurve, curveStart, count, threshold);
    if (position >= count) break;
    precision[first + r * stride] = precisionCurve[curveStart + position];
    scores[first + r * stride] = dtScores[keptSlots[position]];
  }
  for (; r < recallThresholds.length; r++) {
    precision[first + r * stride] = 0;
    scores[first + r * stride] = 0;
  }
}

/**
 * Cumulative recall and precision per threshold over the sorted entries of rank below
 * `maxDet`: curve t at `[t * count, (t + 1) * count)`.
 * @returns how many entries were kept
 */
function countCurves(
  workspace: Workspace,
  total: number,
  maxDet: number,
  T: number,
  nonIgnored: number,
): number {
  const {
    ranks,
    slots,
    entryOutcomes,
    keptSlots,
    truePositives,
    falsePositives,
    recallCurve,
    precisionCurve,
  } = workspace;
  let count = 0;
  for (let e = 0; e < total; e++) if (ranks[e] < maxDet) count++;
  truePositives.fill(0, 0, T);
  falsePositives.fill(0, 0, T);
  let kept = 0;
  for (let e = 0; e < total; e++) {
    if (ranks[e] >= maxDet) continue;
    keptSlots[kept] = slots[e];
    const base = e * T;
    for (let t = 0; t < T; t++) {
      const outcome = entryOutcomes[base + t];
      if (outcome === TRUE_POSITIVE) truePositives[t]++;
      else if (outcome === FALSE_POSITIVE) falsePositives[t]++;
      const tp = truePositives[t];
      recallCurve[t * count + kept] = tp / nonIgnored;
      precisionCurve[t * count + kept] = tp / (falsePositives[t] + tp + NUMPY_EPSILON);
    }
    kept++;
  }
  return count;
}

/** Reusable buffers, grown as needed. */
class Workspace {
  slots = new Int32Array(0);
  ranks = new Int32Array(0);
  keptSlots = new Int32Array(0);
  entryOutcomes = new Uint8Array(0);
  recallCurve = new Float64Array(0);
  precisionCurve = new Float64Array(0);
  truePositives = new Float64Array(64);
  falsePositives = new Float64Array(64);

  reserve(count: number, T: number): void {
    if (this.truePositives.length < T) {
      this.truePositives = new Float64Array(T);
      this.falsePositives = new Float64Array(T);
    }
    if (this.slots.length >= count && this.recallCurve.length >= count * T) return;
    const size = Math.max(count, 2 * this.slots.length);
    this.slots = new Int32Array(size);
    this.ranks = new Int32Array(size);
    this.keptSlots = new Int32Array(size);
    this.entryOutcomes = new Uint8Array(size * T);
    this.recallCurve = new Float64Array(size * T);
    this.precisionCurve = new Float64Array(size * T);
  }
}

const ascendingCache = new WeakMap<readonly number[], boolean>();

function isAscending(values: readonly number[]): boolean {
  let ascending = ascendingCache.get(values);
  if (ascending === undefined) {
    ascending = values.every((value, i) => i === 0 || values[i - 1] <= value);
    ascendingCache.set(values, ascending);
  }
  return ascending;
}

/** np.searchsorted(values[start .. start+count), target, side='left') relative to start. */
function searchLeft(values: Float64Array, start: number, count: number, target: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[start + mid] < target) low = mid + 1;
    else high = mid;
  }
  return low;
}
