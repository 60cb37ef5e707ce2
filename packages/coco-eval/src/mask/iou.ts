import { CocoFormatError } from '../errors';
import { type Rle, rleArea, rleToBboxInto } from './rle';

/**
 * IoU of one detection box with one ground-truth box, both `[x, y, width, height]`, as
 * maskApi.c `bbIou`: 0 unless the overlap is positive in both axes; for a crowd gt the
 * union is the detection's area alone.
 */
export function boxPairIou(
  dtX: number,
  dtY: number,
  dtWidth: number,
  dtHeight: number,
  gtX: number,
  gtY: number,
  gtWidth: number,
  gtHeight: number,
  crowd: boolean,
): number {
  const overlapWidth = Math.min(dtWidth + dtX, gtWidth + gtX) - Math.max(dtX, gtX);
  if (!(overlapWidth > 0)) return 0;
  const overlapHeight = Math.min(dtHeight + dtY, gtHeight + gtY) - Math.max(dtY, gtY);
  if (!(overlapHeight > 0)) return 0;
  const intersection = overlapWidth * overlapHeight;
  const dtArea = dtWidth * dtHeight;
  return intersection / (crowd ? dtArea : dtArea + gtWidth * gtHeight - intersection);
}

/**
 * Pairwise box IoU (pycocotools `mask.iou` on boxes, maskApi.c `bbIou`).
 * @param dtBoxes D boxes `[x, y, width, height]`
 * @param gtBoxes G boxes `[x, y, width, height]`
 * @param iscrowd G flags; a crowd gt's union is the detection's area
 * @returns [D, G] row-major float64 (`iou[d * G + g]`); the caller owns it
 */
export function bboxIou(
  dtBoxes: readonly ArrayLike<number>[],
  gtBoxes: readonly ArrayLike<number>[],
  iscrowd: ArrayLike<number | boolean> = [],
): Float64Array {
  const ious = new Float64Array(dtBoxes.length * gtBoxes.length);
  for (let g = 0; g < gtBoxes.length; g++) {
    const gt = checkBox(gtBoxes[g], `gtBoxes[${g}]`);
    const crowd = Boolean(iscrowd[g]);
    for (let d = 0; d < dtBoxes.length; d++) {
      const dt = checkBox(dtBoxes[d], `dtBoxes[${d}]`);
      ious[d * gtBoxes.length + g] = boxPairIou(
        dt[0],
        dt[1],
        dt[2],
        dt[3],
        gt[0],
        gt[1],
        gt[2],
        gt[3],
        crowd,
      );
    }
  }
  return ious;
}

function checkBox(box: ArrayLike<number>, path: string): ArrayLike<number> {
  if (box.length !== 4) throw new CocoFormatError(`a box needs 4 numbers, got ${box.length}`, path);
  return box;
}

/**
 * Number of pixels on in both masks: walks the two run lists side by side (the
 * intersection half of maskApi.c `rleIou`'s loop). Sizes must already match.
 */
export function maskIntersection(a: Uint32Array, b: Uint32Array): number {
  if (a.length < 2 || b.length < 2) return 0;
  let nextA = 1;
  let nextB = 1;
  let remainingA = a[0];
  let remainingB = b[0];
  let onA = false;
  let onB = false;
  let intersection = 0;
  for (;;) {
    const step = remainingA < remainingB ? remainingA : remainingB;
    if (onA && onB) intersection += step;
    remainingA -= step;
    remainingB -= step;
    if (remainingA === 0) {
      if (nextA >= a.length) break;
      remainingA = a[nextA++];
      onA = !onA;
    }
    if (remainingB === 0) {
      if (nextB >= b.length) break;
      remainingB = b[nextB++];
      onB = !onB;
    }
  }
  return intersection;
}

/**
 * Mask IoU of one detection with one ground truth given their areas and toBbox boxes,
 * as maskApi.c `rleIou`: 0 where the boxes do not overlap, -1 for different mask sizes,
 * 0 when no pixel is shared, else intersection over union (over the detection's area
 * for a crowd gt).
 */
export function maskPairIou(
  dt: Rle,
  dtArea: number,
  dtBox: ArrayLike<number>,
  dtBoxOffset: number,
  gt: Rle,
  gtArea: number,
  gtBox: ArrayLike<number>,
  gtBoxOffset: number,
  crowd: boolean,
): number {
  const boxIou = boxPairIou(
    dtBox[dtBoxOffset],
    dtBox[dtBoxOffset + 1],
    dtBox[dtBoxOffset + 2],
    dtBox[dtBoxOffset + 3],
    gtBox[gtBoxOffset],
    gtBox[gtBoxOffset + 1],
    gtBox[gtBoxOffset + 2],
    gtBox[gtBoxOffset + 3],
    crowd,
  );
  if (!(boxIou > 0)) return boxIou;
  if (dt.height !== gt.height || dt.width !== gt.width) return -1;
  const intersection = maskIntersection(dt.counts, gt.counts);
  if (intersection === 0) return 0;
  return intersection / (crowd ? dtArea : dtArea + gtArea - intersection);
}

/**
 * Pairwise mask IoU (pycocotools `mask.iou` on RLEs, maskApi.c `rleIou`).
 * @param iscrowd G flags; a crowd gt's IoU is intersection over the detection's area
 * @returns [D, G] row-major float64 (`iou[d * G + g]`), -1 where sizes differ; caller owns it
 */
export function rleIou(
  dts: readonly Rle[],
  gts: readonly Rle[],
  iscrowd: ArrayLike<number | boolean> = [],
): Float64Array {
  const dtBoxes = new Float64Array(dts.length * 4);
  const gtBoxes = new Float64Array(gts.length * 4);
  dts.forEach((rle, d) => {
    rleToBboxInto(rle, dtBoxes, d * 4);
  });
  gts.forEach((rle, g) => {
    rleToBboxInto(rle, gtBoxes, g * 4);
  });
  const dtAreas = dts.map(rleArea);
  const gtAreas = gts.map(rleArea);
  const ious = new Float64Array(dts.length * gts.length);
  for (let d = 0; d < dts.length; d++) {
    for (let g = 0; g < gts.length; g++) {
      ious[d * gts.length + g] = maskPairIou(
        dts[d],
        dtAreas[d],
        dtBoxes,
        d * 4,
        gts[g],
        gtAreas[g],
        gtBoxes,
        g * 4,
        Boolean(iscrowd[g]),
      );
    }
  }
  return ious;
}
