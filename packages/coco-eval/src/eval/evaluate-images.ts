import { descendingScoreOrder } from '../numeric/score-order';
import type { EvalTables } from './eval-tables';
import type { PairScorer } from './pair-scores';
import type { EvalParams } from './params';

/**
 * pycocotools `evalImgs` in columns. A group is one (image, category) cell
 * (`i * categoryGroups + k`); it is present when it has a gt or a detection
 * (pycocotools' non-None records). Per group: its detections sorted by score and cut
 * to maxDets[-1] (`dtRows[dtStart[c] .. dtStart[c+1])`), the same for every area range.
 * Per area range a: the gts sorted ignore-last (`gtRows[a]`) with their ignore flags,
 * and per IoU threshold t the matches, stored group by group as [T, D] and [T, G] blocks
 * at `T * dtStart[c]` and `T * gtStart[c]`.
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

export interface AreaEvaluation {
  gtRows: Int32Array;
  gtIgnore: Uint8Array;
  /** [T, D] blocks: id of the matched gt, 0 when unmatched (pycocotools `dtMatches`). */
  dtMatches: Float64Array;
  /** [T, D] blocks: 1 when the detection is ignored (`dtIgnore`). */
  dtIgnore: Uint8Array;
  /** [T, G] blocks: id of the matched detection, 0 when unmatched (`gtMatches`). */
  gtMatches: Float64Array;
}

/**
 * Runs pycocotools `evaluateImg` for every (category, area range, image): greedy
 * matching per IoU threshold in score order, with crowd and ignore handling exactly as
 * there (see the package README for the rules copied).
 */
export function evaluateImages(tables: EvalTables, params: EvalParams, scorer: PairScorer): ImageEvaluations {
  const { gt, dt, gtGroups, dtGroups, categoryGroups } = tables;
  const images = params.imgIds.length;
  const cells = images * categoryGroups;
  const thresholds = params.iouThrs.length;
  const maxDet = params.maxDets[params.maxDets.length - 1];
  const present = new Uint8Array(cells);
  const dtStart = new Int32Array(cells + 1);
  for (let c = 0; c < cells; c++) {
    const detections = dtGroups.start[c + 1] - dtGroups.start[c];
    const groundTruths = gtGroups.start[c + 1] - gtGroups.start[c];
    present[c] = detections + groundTruths > 0 ? 1 : 0;
    dtStart[c + 1] = dtStart[c] + Math.min(detections, Math.max(maxDet, 0));
  }
  const gtStart = gtGroups.start;
  const dtRows = new Int32Array(dtStart[cells]);
  for (let c = 0; c < cells; c++) {
    const sorted = descendingScoreOrder(
      dt.scores,
      dtGroups.rows.slice(dtGroups.start[c], dtGroups.start[c + 1]),
    );
    dtRows.set(sorted.subarray(0, dtStart[c + 1] - dtStart[c]), dtStart[c]);
  }
  const perArea = params.areaRng.map(() => ({
    gtRows: new Int32Array(gtGroups.rows.length),
    gtIgnore: new Uint8Array(gtGroups.rows.length),
    dtMatches: new Float64Array(thresholds * dtRows.length),
    dtIgnore: new Uint8Array(thresholds * dtRows.length),
    gtMatches: new Float64Array(thresholds * gtGroups.rows.length),
  }));
  let ious = new Float64Array(64);
  const ignoreScratch = new Uint8Array(gtGroups.rows.length);
  const order = new Int32Array(gtGroups.rows.length);
  for (let c = 0; c < cells; c++) {
    if (!present[c]) continue;
    const dtBegin = dtStart[c];
    const detections = dtStart[c + 1] - dtBegin;
    const gtBegin = gtStart[c];
    const groundTruths = gtStart[c + 1] - gtBegin;
    const groupDtRows = dtRows.subarray(dtBegin, dtBegin + detections);
    // computeOks reads _gts[img, -1] without useCats, so keypoints then match nothing.
    const scored = detections > 0 && groundTruths > 0 && (params.useCats || params.iouType !== 'keypoints');
    if (scored) {
      if (ious.length < detections * groundTruths) ious = new Float64Array(detections * groundTruths * 2);
      scorer(groupDtRows, detections, gtGroups.rows, gtBegin, groundTruths, ious);
    }
    params.areaRng.forEach(([low, high], a) => {
      const area = perArea[a];
      // _ignore per gt, then a stable sort that puts ignored gts last.
      let kept = 0;
      for (let g = 0; g < groundTruths; g++) {
        const row = gtGroups.rows[gtBegin + g];
        const areaValue = gt.areas[row];
        const ignored = gt.ignore[row] === 1 || areaValue < low || areaValue > high ? 1 : 0;
        ignoreScratch[g] = ignored;
        if (!ignored) kept++;
      }
      let front = 0;
      let back = kept;
      for (let g = 0; g < groundTruths; g++) order[ignoreScratch[g] ? back++ : front++] = g;
      for (let g = 0; g < groundTruths; g++) {
        area.gtRows[gtBegin + g] = gtGroups.rows[gtBegin + order[g]];
        area.gtIgnore[gtBegin + g] = ignoreScratch[order[g]];
      }
      const group = { dtBegin, detections, gtBegin, groundTruths, low, high };
      matchGroup(params, tables, dtRows, area, order, scored ? ious : undefined, group);
    });
  }
  const dtScores = Float64Array.from(dtRows, (row) => dt.scores[row]);
  return { images, categoryGroups, thresholds, present, dtStart, dtRows, dtScores, gtStart, perArea };
}

interface Group {
  dtBegin: number;
  detections: number;
  gtBegin: number;
  groundTruths: number;
  low: number;
  high: number;
}

/**
 * The greedy matching of one group for one area range, every threshold.
 * `order[g]` is the file-order column of the g-th sorted gt in `ious` ([D, G]).
 */
function matchGroup(
  params: EvalParams,
  tables: EvalTables,
  dtRows: Int32Array,
  area: AreaEvaluation,
  order: Int32Array,
  ious: Float64Array | undefined,
  group: Group,
): void {
  const { gt, dt } = tables;
  const { dtBegin, detections, gtBegin, groundTruths, low, high } = group;
  const thresholds = params.iouThrs.length;
  const dtBlock = thresholds * dtBegin;
  const gtBlock = thresholds * gtBegin;
  if (ious) {
    for (let t = 0; t < thresholds; t++) {
      const threshold = Math.min(params.iouThrs[t], 1 - 1e-10);
      const gtMatchRow = gtBlock + t * groundTruths;
      for (let d = 0; d < detections; d++) {
        let best = threshold;
        let match = -1;
        const iouRow = d * groundTruths;
        for (let g = 0; g < groundTruths; g++) {
          const gtRow = area.gtRows[gtBegin + g];
          if (area.gtMatches[gtMatchRow + g] > 0 && gt.crowd[gtRow] === 0) continue;
          if (match > -1 && area.gtIgnore[gtBegin + match] === 0 && area.gtIgnore[gtBegin + g] === 1) break;
          const iou = ious[iouRow + order[g]];
          if (iou < best) continue;
          best = iou;
          match = g;
        }
        if (match === -1) continue;
        const slot = dtBlock + t * detections + d;
        area.dtIgnore[slot] = area.gtIgnore[gtBegin + match];
        area.dtMatches[slot] = gt.ids[area.gtRows[gtBegin + match]];
        area.gtMatches[gtMatchRow + match] = dt.ids[dtRows[dtBegin + d]];
      }
    }
  }
  // Unmatched detections outside the area range are ignored ("matched" = gt id != 0).
  for (let d = 0; d < detections; d++) {
    const areaValue = dt.areas[dtRows[dtBegin + d]];
    if (!(areaValue < low || areaValue > high)) continue;
    for (let t = 0; t < thresholds; t++) {
      const slot = dtBlock + t * detections + d;
      if (area.dtMatches[slot] === 0) area.dtIgnore[slot] = 1;
    }
  }
}
