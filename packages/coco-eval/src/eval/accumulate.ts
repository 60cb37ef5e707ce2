import type { ImageEvaluations } from './evaluate-images';
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
  const { images, present, dtStart, gtStart } = evaluations;
  let entryGroup = new Int32Array(1024);
  let entrySlot = new Int32Array(1024);
  let entryScore = new Float64Array(1024);
  let order = new Int32Array(1024);
  let recallCurve = new Float64Array(1024);
  let precisionCurve = new Float64Array(1024);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      const maxDet = params.maxDets[m];
      // Concatenate each present image's first maxDet detections, in image order.
      let count = 0;
      let anyPresent = false;
      for (let i = 0; i < images; i++) {
        const cell = i * K + k;
        if (!present[cell]) continue;
        anyPresent = true;
        const taken = Math.min(Math.max(maxDet, 0), dtStart[cell + 1] - dtStart[cell]);
        if (entryGroup.length < count + taken) {
          const size = 2 * (count + taken);
          entryGroup = grow(entryGroup, size);
          entrySlot = grow(entrySlot, size);
          entryScore = growFloat(entryScore, size);
        }
        for (let d = 0; d < taken; d++) {
          entryGroup[count] = cell;
          entrySlot[count] = d;
          entryScore[count] = evaluations.dtScores[dtStart[cell] + d];
          count++;
        }
      }
      if (!anyPresent) continue;
      if (order.length < count) {
        order = new Int32Array(2 * count);
        recallCurve = new Float64Array(2 * count);
        precisionCurve = new Float64Array(2 * count);
      }
      const sorted = order.subarray(0, count);
      for (let e = 0; e < count; e++) sorted[e] = e;
      sorted.sort((a, b) => entryScore[b] - entryScore[a] || a - b);
      for (let a = 0; a < A; a++) {
        const area = evaluations.perArea[a];
        let nonIgnored = 0;
        for (let i = 0; i < images; i++) {
          const cell = i * K + k;
          if (!present[cell]) continue;
          for (let g = gtStart[cell]; g < gtStart[cell + 1]; g++) if (area.gtIgnore[g] === 0) nonIgnored++;
        }
        if (nonIgnored === 0) continue;
        for (let t = 0; t < T; t++) {
          let truePositives = 0;
          let falsePositives = 0;
          for (let e = 0; e < count; e++) {
            const entry = sorted[e];
            const cell = entryGroup[entry];
            const detections = dtStart[cell + 1] - dtStart[cell];
            const slot = T * dtStart[cell] + t * detections + entrySlot[entry];
            if (area.dtIgnore[slot] === 0) {
              if (area.dtMatches[slot] !== 0) truePositives++;
              else falsePositives++;
            }
            recallCurve[e] = truePositives / nonIgnored;
            precisionCurve[e] = truePositives / (falsePositives + truePositives + NUMPY_EPSILON);
          }
          const cellIndex = ((t * K + k) * A + a) * M + m;
          recall[cellIndex] = count > 0 ? recallCurve[count - 1] : 0;
          for (let e = count - 1; e > 0; e--) {
            if (precisionCurve[e] > precisionCurve[e - 1]) precisionCurve[e - 1] = precisionCurve[e];
          }
          for (let r = 0; r < R; r++) {
            const index = (((t * R + r) * K + k) * A + a) * M + m;
            precision[index] = 0;
            scores[index] = 0;
          }
          for (let r = 0; r < R; r++) {
            const position = searchLeft(recallCurve, count, params.recThrs[r]);
            if (position >= count) break;
            const index = (((t * R + r) * K + k) * A + a) * M + m;
            precision[index] = precisionCurve[position];
            scores[index] = entryScore[sorted[position]];
          }
        }
      }
    }
  }
  return { counts: [T, R, K, A, M], precision, recall, scores };
}

/** np.searchsorted(values[0..count), target, side='left'): first index with values[i] >= target. */
function searchLeft(values: Float64Array, count: number, target: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid] < target) low = mid + 1;
    else high = mid;
  }
  return low;
}

function grow(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}

function growFloat(array: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(size);
  bigger.set(array);
  return bigger;
}
