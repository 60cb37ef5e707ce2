import type { CocoDataset } from '../dataset/coco-dataset';
import { CocoFormatError } from '../errors';
import { boxPairIou, maskPairIou } from '../mask/iou';
import { type Rle, rleArea, rleToBboxInto } from '../mask/rle';
import type { AnnotationTable, EvalTables } from './eval-tables';
import { objectKeypointSimilarity } from './object-keypoint-similarity';
import type { EvalParams } from './params';

/**
 * Fills `out[d * gtCount + g]` with the IoU (or OKS) of detection row `dtRows[d]` and
 * ground-truth row `gtRows[gtStart + g]` (pycocotools `computeIoU` / `computeOks`).
 */
export type PairScorer = (
  dtRows: Int32Array,
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
    return (dtRows, dtCount, gtRows, gtStart, gtCount, out) => {
      for (let d = 0; d < dtCount; d++) {
        const a = dtRows[d] * 4;
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
    const gtMasks = prepareMasks(gt, groundTruth, 'ground-truth');
    const dtMasks = prepareMasks(dt, detections, 'detection');
    return (dtRows, dtCount, gtRows, gtStart, gtCount, out) => {
      for (let d = 0; d < dtCount; d++) {
        const a = dtRows[d];
        for (let g = 0; g < gtCount; g++) {
          const b = gtRows[gtStart + g];
          out[d * gtCount + g] = maskPairIou(
            dtMasks.rles[a],
            dtMasks.areas[a],
            dtMasks.boxes,
            a * 4,
            gtMasks.rles[b],
            gtMasks.areas[b],
            gtMasks.boxes,
            b * 4,
            gt.crowd[b] === 1,
          );
        }
      }
    };
  }
  const sigmas = params.kptOksSigmas;
  const variances = Float64Array.from(sigmas, (sigma) => sigma * 2 * (sigma * 2));
  const gtKeypoints = keypointsOf(gt, sigmas.length, 'ground-truth');
  const dtKeypoints = keypointsOf(dt, sigmas.length, 'detection');
  const scratch = new Float64Array(sigmas.length);
  return (dtRows, dtCount, gtRows, gtStart, gtCount, out) => {
    for (let g = 0; g < gtCount; g++) {
      const row = gtRows[gtStart + g];
      for (let d = 0; d < dtCount; d++) {
        out[d * gtCount + g] = objectKeypointSimilarity(
          gtKeypoints[row],
          gt.boxes,
          row * 4,
          gt.areas[row],
          dtKeypoints[dtRows[d]],
          variances,
          scratch,
        );
      }
    }
  };
}

interface PreparedMasks {
  rles: Rle[];
  areas: Float64Array;
  boxes: Float64Array;
}

function prepareMasks(table: AnnotationTable, dataset: CocoDataset, side: string): PreparedMasks {
  const count = table.annotations.length;
  const masks: PreparedMasks = {
    rles: new Array(count),
    areas: new Float64Array(count),
    boxes: new Float64Array(count * 4),
  };
  for (let r = 0; r < count; r++) {
    const annotation = table.annotations[r];
    const rle = dataset.annotationToRle(annotation, `${side} annotation ${annotation.id}`);
    masks.rles[r] = rle;
    masks.areas[r] = rleArea(rle);
    rleToBboxInto(rle, masks.boxes, r * 4);
  }
  return masks;
}

function keypointsOf(table: AnnotationTable, keypointCount: number, side: string): number[][] {
  return table.annotations.map((annotation) => {
    const keypoints = annotation.keypoints;
    if (!keypoints) throw new CocoFormatError('missing "keypoints"', `${side} annotation ${annotation.id}`);
    if (keypoints.length !== keypointCount * 3) {
      throw new CocoFormatError(
        `"keypoints" has ${keypoints.length} values; expected 3 x ${keypointCount} (one sigma per keypoint)`,
        `${side} annotation ${annotation.id}`,
      );
    }
    return keypoints;
  });
}
