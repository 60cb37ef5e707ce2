import { orderByScore } from '../numeric/order-by-score';
import type { ImageEvaluations } from './evaluate-images';
import type { EvalParams } from './params';
import { PrecisionCurves } from './precision-curves';

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
 * recall >= each recall threshold (searchsorted 'left'). See PrecisionCurves.
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
  const { present, dtStart, gtStart, dtScores } = evaluations;
  const curves = new PrecisionCurves(T, params.recThrs);
  // Rank of each stored detection within its cell (0 = highest score).
  const rankOfSlot = new Int32Array(dtScores.length);
  for (let cell = 0; cell + 1 < dtStart.length; cell++) {
    for (let slot = dtStart[cell]; slot < dtStart[cell + 1]; slot++) rankOfSlot[slot] = slot - dtStart[cell];
  }
  // Present cells of each category, in image order.
  const cellsStart = new Int32Array(K + 1);
  for (let cell = 0; cell < present.length; cell++) if (present[cell]) cellsStart[(cell % K) + 1]++;
  for (let k = 0; k < K; k++) cellsStart[k + 1] += cellsStart[k];
  const cellsOfCategory = new Int32Array(cellsStart[K]);
  const fill = cellsStart.slice(0, K);
  for (let cell = 0; cell < present.length; cell++)
    if (present[cell]) cellsOfCategory[fill[cell % K]++] = cell;
  let sorted = new Int32Array(0);
  let ranks = new Int32Array(0);
  let scratch = { keys: new Float64Array(0), distinct: new Float64Array(0) };
  for (let k = 0; k < K; k++) {
    // pycocotools skips a (k, a, m) without any non-None record.
    if (cellsStart[k] === cellsStart[k + 1]) continue;
    // Every present image's detections of category k (already cut to maxDets[-1]).
    let total = 0;
    for (let p = cellsStart[k]; p < cellsStart[k + 1]; p++) {
      const cell = cellsOfCategory[p];
      total += dtStart[cell + 1] - dtStart[cell];
    }
    if (sorted.length < total) {
      sorted = new Int32Array(total);
      ranks = new Int32Array(total);
    }
    let entry = 0;
    for (let p = cellsStart[k]; p < cellsStart[k + 1]; p++) {
      const cell = cellsOfCategory[p];
      for (let slot = dtStart[cell]; slot < dtStart[cell + 1]; slot++) sorted[entry++] = slot;
    }
    // Slots grow with (image, rank), the concatenation order, so they break score ties
    // exactly as the stable sort does; the order for a smaller maxDet is this one
    // filtered to ranks < maxDet.
    if (scratch.keys.length < total)
      scratch = { keys: new Float64Array(total), distinct: new Float64Array(total) };
    orderByScore(sorted, total, dtScores, scratch);
    const order = sorted.subarray(0, total);
    for (let e = 0; e < total; e++) ranks[e] = rankOfSlot[order[e]];
    const kept = params.maxDets.map((maxDet) => {
      let count = 0;
      for (let e = 0; e < total; e++) if (ranks[e] < maxDet) count++;
      return count;
    });
    for (let a = 0; a < A; a++) {
      const area = evaluations.perArea[a];
      let nonIgnored = 0;
      for (let p = cellsStart[k]; p < cellsStart[k + 1]; p++) {
        const cell = cellsOfCategory[p];
        for (let g = gtStart[cell]; g < gtStart[cell + 1]; g++) if (area.gtIgnore[g] === 0) nonIgnored++;
      }
      if (nonIgnored === 0) continue;
      curves.gather(area.outcomes, order, total);
      for (let m = 0; m < M; m++) {
        const stride = K * A * M;
        const twin = kept.indexOf(kept[m]);
        if (twin < m) {
          // Same detections as a smaller maxDet already done (no image had more): same numbers.
          for (let t = 0; t < T; t++) {
            recall[((t * K + k) * A + a) * M + m] = recall[((t * K + k) * A + a) * M + twin];
            for (let r = 0; r < R; r++) {
              const first = (t * R + r) * stride + (k * A + a) * M;
              precision[first + m] = precision[first + twin];
              scores[first + m] = scores[first + twin];
            }
          }
          continue;
        }
        curves.count(ranks, total, Math.max(params.maxDets[m], 0), nonIgnored);
        for (let t = 0; t < T; t++) {
          recall[((t * K + k) * A + a) * M + m] = curves.recall(t);
          // precision[t, r, k, a, m] sits at first + r * stride.
          const first = t * R * stride + (k * A + a) * M + m;
          curves.interpolate(t, order, dtScores, precision, scores, first, stride);
        }
      }
    }
  }
  return { counts: [T, R, K, A, M], precision, recall, scores };
}
