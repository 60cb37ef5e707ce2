import { orderByScore } from '../numeric/order-by-score';
import type { EvalTables } from './eval-tables';
import type { PairScorer } from './pair-scores';
import type { EvalParams } from './params';

/**
 * pycocotools `evalImgs` in columns. A cell is one (image, category) group
 * (`i * categoryGroups + k`); it is present when it has a gt or a detection
 * (pycocotools' non-None records). Per cell: its detections sorted by score and cut to
 * maxDets[-1] (`dtRows[dtStart[c] .. dtStart[c+1])`), the same for every area range.
 * Per area range: the gts sorted ignore-last (`gtRows`), their ignore flags, and the
 * per-threshold results, detection-major: slot `(dtStart[c] + d) * T + t`.
 */
export interface ImageEvaluations {
  images: number;
  categoryGroups: number;
  thresholds: number;
  present: Uint8Array;
  dtStart: Int32Array;
  dtRows: Int32Array;
  /** Scores of `dtRows`. */
  dtScores: Float64Array;
  gtStart: Int32Array;
  perArea: AreaEvaluation[];
}

/** Detection outcome per threshold, what accumulate() counts: unmatched, not ignored. */
export const FALSE_POSITIVE = 0;
/** Matched (to a gt with a non-zero id), not ignored. */
export const TRUE_POSITIVE = 1;
/** Ignored: matched to an ignored gt, or unmatched and outside the area range. */
export const IGNORED = 2;

/** evaluateImg's per-area-range results, for every cell at once. */
export interface AreaEvaluation {
  gtRows: Int32Array;
  gtIgnore: Uint8Array;
  /** [D, T] per cell: FALSE_POSITIVE, TRUE_POSITIVE or IGNORED (pycocotools' dtIgnore and dtMatches != 0). */
  outcomes: Uint8Array;
  /** [D, T] per cell: gt table row of the match, -1 when unmatched (`dtMatches` holds its id). */
  dtMatchRows: Int32Array;
  /** [G, T] per cell: detection table row of the match, -1 when unmatched (`gtMatches` holds its id). */
  gtMatchRows: Int32Array;
}

/**
 * Runs pycocotools `evaluateImg` for every (category, area range, image): greedy
 * matching per IoU threshold in score order, crowd and ignore handling exactly as there.
 */
export function evaluateImages(tables: EvalTables, params: EvalParams, scorer: PairScorer): ImageEvaluations {
  const { gt, dt, gtGroups, dtGroups, categoryGroups } = tables;
  const images = params.imgIds.length;
  const cells = images * categoryGroups;
  const T = params.iouThrs.length;
  const maxDet = Math.max(params.maxDets[params.maxDets.length - 1], 0);
  const present = new Uint8Array(cells);
  const dtStart = new Int32Array(cells + 1);
  let largestGroup = 0;
  for (let c = 0; c < cells; c++) {
    const detections = dtGroups.start[c + 1] - dtGroups.start[c];
    const groundTruths = gtGroups.start[c + 1] - gtGroups.start[c];
    present[c] = detections + groundTruths > 0 ? 1 : 0;
    dtStart[c + 1] = dtStart[c] + Math.min(detections, maxDet);
    largestGroup = Math.max(largestGroup, detections, groundTruths);
  }
  const gtStart = gtGroups.start;
  const totalGt = gtGroups.rows.length;
  const dtRows = new Int32Array(dtStart[cells]);
  const scratch = new Int32Array(largestGroup);
  for (let c = 0; c < cells; c++) {
    const begin = dtGroups.start[c];
    const count = dtGroups.start[c + 1] - begin;
    if (count === 0) continue;
    scratch.set(dtGroups.rows.subarray(begin, begin + count));
    sortByScore(scratch, count, dt.scores);
    dtRows.set(scratch.subarray(0, dtStart[c + 1] - dtStart[c]), dtStart[c]);
  }
  const perArea: AreaEvaluation[] = params.areaRng.map(() => ({
    gtRows: new Int32Array(totalGt),
    gtIgnore: new Uint8Array(totalGt),
    outcomes: new Uint8Array(T * dtRows.length),
    dtMatchRows: new Int32Array(T * dtRows.length).fill(-1),
    gtMatchRows: new Int32Array(T * totalGt).fill(-1),
  }));
  const thresholds = Float64Array.from(params.iouThrs, (t) => Math.min(t, 1 - 1e-10));
  let ious = new Float64Array(64);
  const order = new Int32Array(largestGroup);
  for (let c = 0; c < cells; c++) {
    if (!present[c]) continue;
    const dtBegin = dtStart[c];
    const detections = dtStart[c + 1] - dtBegin;
    const gtBegin = gtStart[c];
    const groundTruths = gtStart[c + 1] - gtBegin;
    // computeOks reads _gts[img, -1] without useCats, so keypoints then match nothing.
    const scored = detections > 0 && groundTruths > 0 && (params.useCats || params.iouType !== 'keypoints');
    if (scored) {
      if (ious.length < detections * groundTruths) ious = new Float64Array(detections * groundTruths * 2);
      scorer(dtRows, dtBegin, detections, gtGroups.rows, gtBegin, groundTruths, ious);
    }
    for (let a = 0; a < perArea.length; a++) {
      const area = perArea[a];
      const low = params.areaRng[a][0];
      const high = params.areaRng[a][1];
      // _ignore per gt, then the stable sort that puts ignored gts last.
      let kept = 0;
      for (let g = 0; g < groundTruths; g++) {
        const row = gtGroups.rows[gtBegin + g];
        const value = gt.areas[row];
        if (!(gt.ignore[row] === 1 || value < low || value > high)) kept++;
      }
      let front = 0;
      let back = kept;
      for (let g = 0; g < groundTruths; g++) {
        const row = gtGroups.rows[gtBegin + g];
        const value = gt.areas[row];
        const ignored = gt.ignore[row] === 1 || value < low || value > high;
        const position = ignored ? back++ : front++;
        order[position] = g;
        area.gtRows[gtBegin + position] = row;
        area.gtIgnore[gtBegin + position] = ignored ? 1 : 0;
      }
      if (scored)
        matchCell(tables, dtRows, area, order, ious, thresholds, dtBegin, detections, gtBegin, groundTruths);
      settleOutcomes(tables, dtRows, area, T, dtBegin, detections, low, high);
    }
  }
  const dtScores = new Float64Array(dtRows.length);
  for (let slot = 0; slot < dtRows.length; slot++) dtScores[slot] = dt.scores[dtRows[slot]];
  return { images, categoryGroups, thresholds: T, present, dtStart, dtRows, dtScores, gtStart, perArea };
}

/**
 * The greedy matching of one cell for one area range, every threshold (pycocotools'
 * triple loop). `order[g]` is the file-order column of the g-th sorted gt in `ious` [D, G].
 */
function matchCell(
  tables: EvalTables,
  dtRows: Int32Array,
  area: AreaEvaluation,
  order: Int32Array,
  ious: Float64Array,
  thresholds: Float64Array,
  dtBegin: number,
  detections: number,
  gtBegin: number,
  groundTruths: number,
): void {
  const { gt, dt } = tables;
  const T = thresholds.length;
  const { gtRows, gtIgnore, gtMatchRows, dtMatchRows, outcomes } = area;
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < detections; d++) {
      let best = thresholds[t];
      let match = -1;
      const iouRow = d * groundTruths;
      for (let g = 0; g < groundTruths; g++) {
        // "Already matched" is pycocotools' gtMatches > 0 (the detection's id).
        const matchedBy = gtMatchRows[(gtBegin + g) * T + t];
        if (matchedBy >= 0 && dt.ids[matchedBy] > 0 && gt.crowd[gtRows[gtBegin + g]] === 0) continue;
        if (match > -1 && gtIgnore[gtBegin + match] === 0 && gtIgnore[gtBegin + g] === 1) break;
        const iou = ious[iouRow + order[g]];
        if (iou < best) continue;
        best = iou;
        match = g;
      }
      if (match === -1) continue;
      const slot = (dtBegin + d) * T + t;
      // Provisional: 1 when the detection takes its gt's ignore flag; settled below.
      outcomes[slot] = gtIgnore[gtBegin + match];
      dtMatchRows[slot] = gtRows[gtBegin + match];
      gtMatchRows[(gtBegin + match) * T + t] = dtRows[dtBegin + d];
    }
  }
}

/**
 * Final outcomes: unmatched detections outside the area range are ignored, where
 * "matched" is pycocotools' dtMatches != 0 (a gt with id 0 counts as unmatched).
 */
function settleOutcomes(
  tables: EvalTables,
  dtRows: Int32Array,
  area: AreaEvaluation,
  T: number,
  dtBegin: number,
  detections: number,
  low: number,
  high: number,
): void {
  const { dtMatchRows, outcomes } = area;
  const gtIds = tables.gt.ids;
  for (let d = 0; d < detections; d++) {
    const value = tables.dt.areas[dtRows[dtBegin + d]];
    const outside = value < low || value > high;
    for (let slot = (dtBegin + d) * T, end = slot + T; slot < end; slot++) {
      const row = dtMatchRows[slot];
      const matched = row >= 0 && gtIds[row] !== 0;
      const ignored = outcomes[slot] === 1 || (outside && !matched);
      outcomes[slot] = ignored ? IGNORED : matched ? TRUE_POSITIVE : FALSE_POSITIVE;
    }
  }
}

let sortScratch = { keys: new Float64Array(0), distinct: new Float64Array(0) };

/**
 * Sorts `rows[0..count)` by descending score, ties by row (file order): the stable
 * mergesort pycocotools uses. Insertion sort for the usual small cells.
 */
function sortByScore(rows: Int32Array, count: number, scores: Float64Array): void {
  if (count > 32) {
    if (sortScratch.keys.length < count) {
      sortScratch = { keys: new Float64Array(count), distinct: new Float64Array(count) };
    }
    orderByScore(rows, count, scores, sortScratch);
    return;
  }
  for (let i = 1; i < count; i++) {
    const row = rows[i];
    const score = scores[row];
    let j = i - 1;
    while (j >= 0 && (scores[rows[j]] < score || (scores[rows[j]] === score && rows[j] > row))) {
      rows[j + 1] = rows[j];
      j--;
    }
    rows[j + 1] = row;
  }
}
