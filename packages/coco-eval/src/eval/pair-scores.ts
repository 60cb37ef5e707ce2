import type { CocoDataset } from '../dataset/coco-dataset';
import { CocoFormatError } from '../errors';
import { boxPairIou } from '../mask/iou';
import { runsToBboxInto } from '../mask/rle';
import type { AnnotationTable, EvalTables } from './eval-tables';
import { CellMasks, spanIntersection } from './mask-table';
import { objectKeypointSimilarity } from './object-keypoint-similarity';
import type { EvalParams } from './params';

/**
 * Fills `out[d * gtCount + g]` with the IoU (or OKS) of detection row `dtRows[dtStart + d]` and
 * ground-truth row `gtRows[gtStart + g]` (pycocotools `computeIoU` / `computeOks`).
 */
export type PairScorer = (
  dtRows: Int32Array,
  dtStart: number,
  dtCount: number,
  gtRows: Int32Array,
  gtStart: number,
  gtCount: number,
  out: Float64Array,
) => void;

/** The scorer for `params.iouType`, with masks or keypoints prepared once per row. */
export function createPairScorer(
  tables: EvalTables,
  params: EvalParams,
  groundTruth: CocoDataset,
  detections: CocoDataset,
): PairScorer {
  const { gt, dt } = tables;
  if (params.iouType === 'bbox') {
    return (dtRows, dtStart, dtCount, gtRows, gtStart, gtCount, out) => {
      for (let d = 0; d < dtCount; d++) {
        const a = dtRows[dtStart + d] * 4;
        for (let g = 0; g < gtCount; g++) {
          const row = gtRows[gtStart + g];
          const b = row * 4;
          out[d * gtCount + g] = boxPairIou(
            dt.boxes[a],
            dt.boxes[a + 1],
            dt.boxes[a + 2],
            dt.boxes[a + 3],
            gt.boxes[b],
            gt.boxes[b + 1],
            gt.boxes[b + 2],
            gt.boxes[b + 3],
            gt.crowd[row] === 1,
          );
        }
      }
    };
  }
  if (params.iouType === 'segm') {
    const dtMasks = new CellMasks(dt, detections, 'detection');
    const gtMasks = new CellMasks(gt, groundTruth, 'ground-truth');
    return (dtRows, dtStart, dtCount, gtRows, gtStart, gtCount, out) => {
      dtMasks.load(dtRows, dtStart, dtCount);
      gtMasks.load(gtRows, gtStart, gtCount);
      for (let d = 0; d < dtCount; d++) {
        for (let g = 0; g < gtCount; g++) {
          out[d * gtCount + g] = maskPairIou(dtMasks, d, gtMasks, g, gt.crowd[gtRows[gtStart + g]] === 1);
        }
      }
    };
  }
  const sigmas = params.kptOksSigmas;
  const variances = Float64Array.from(sigmas, (sigma) => sigma * 2 * (sigma * 2));
  const gtKeypoints = keypointsOf(gt, sigmas.length, 'ground-truth');
  const dtKeypoints = keypointsOf(dt, sigmas.length, 'detection', detections.resultsKind !== undefined);
  const scratch = new Float64Array(sigmas.length);
  return (dtRows, dtStart, dtCount, gtRows, gtStart, gtCount, out) => {
    for (let g = 0; g < gtCount; g++) {
      const row = gtRows[gtStart + g];
      for (let d = 0; d < dtCount; d++) {
        out[d * gtCount + g] = objectKeypointSimilarity(
          gtKeypoints[row],
          gt.boxes,
          row * 4,
          gt.areas[row],
          dtKeypoints[dtRows[dtStart + d]],
          variances,
          scratch,
        );
      }
    }
  };
}

/**
 * maskApi.c `rleIou` for one pair. For masks of one size it is intersection over union
 * (over the detection's area for a crowd gt), 0 when no pixel is shared: rleIou's
 * toBbox pre-check can be skipped, as masks sharing a pixel always have overlapping
 * boxes. Only for masks of different sizes do the boxes decide: -1 where they overlap.
 */
function maskPairIou(dtMasks: CellMasks, d: number, gtMasks: CellMasks, g: number, crowd: boolean): number {
  if (dtMasks.heights[d] !== gtMasks.heights[g] || dtMasks.widths[d] !== gtMasks.widths[g]) {
    return masksBoxIou(dtMasks, d, gtMasks, g, crowd) > 0 ? -1 : 0;
  }
  const shared = spanIntersection(
    dtMasks.spans.data,
    dtMasks.spanStart[d],
    dtMasks.spanStart[d + 1],
    gtMasks.spans.data,
    gtMasks.spanStart[g],
    gtMasks.spanStart[g + 1],
  );
  if (shared === 0) return 0;
  const dtArea = dtMasks.areas[d];
  return shared / (crowd ? dtArea : dtArea + gtMasks.areas[g] - shared);
}

/** bbIou of the two masks' toBbox boxes (maskApi.c rleIou's first step). */
function masksBoxIou(dtMasks: CellMasks, d: number, gtMasks: CellMasks, g: number, crowd: boolean): number {
  const boxes = new Float64Array(8);
  const box = (masks: CellMasks, i: number, offset: number) =>
    runsToBboxInto(
      masks.runs.data,
      masks.runStart[i],
      masks.runStart[i + 1] - masks.runStart[i],
      masks.heights[i],
      masks.widths[i],
      boxes,
      offset,
    );
  box(dtMasks, d, 0);
  box(gtMasks, g, 4);
  return boxPairIou(boxes[0], boxes[1], boxes[2], boxes[3], boxes[4], boxes[5], boxes[6], boxes[7], crowd);
}

/**
 * Each annotation's keypoints, checked: 3 numbers per sigma. Errors name the annotation
 * id and image_id, and for loaded results (ids are list index + 1) the results index.
 */
function keypointsOf(
  table: AnnotationTable,
  keypointCount: number,
  side: string,
  fromResults = false,
): number[][] {
  return table.annotations.map((annotation) => {
    const keypoints = annotation.keypoints as unknown;
    const path = fromResults
      ? `results[${annotation.id - 1}] (image_id ${annotation.image_id}).keypoints`
      : `${side} annotation ${annotation.id} (image_id ${annotation.image_id})`;
    if (!keypoints) throw new CocoFormatError('missing "keypoints"', path);
    if (!Array.isArray(keypoints)) throw new CocoFormatError('"keypoints" must be a list of numbers', path);
    if (keypoints.length !== keypointCount * 3) {
      throw new CocoFormatError(
        `"keypoints" has ${keypoints.length} values; expected 3 x ${keypointCount} (one sigma per keypoint)`,
        path,
      );
    }
    const bad = keypoints.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
    if (bad >= 0) {
      throw new CocoFormatError(
        keypoints.every((value) => value === null)
          ? `all ${keypoints.length} keypoint values are null; keypoints must be numbers (x, y, visibility triples)`
          : `keypoint value ${bad} is ${JSON.stringify(keypoints[bad])}; keypoints must be finite numbers`,
        path,
      );
    }
    return keypoints as number[];
  });
}
