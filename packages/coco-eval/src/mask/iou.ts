import { CocoFormatError } from '../errors';
import { type Rle, rleArea, runsToBboxInto } from './rle';

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
export function maskIntersection(
  a: Uint32Array,
  aStart: number,
  aLength: number,
  b: Uint32Array,
  bStart: number,
  bLength: number,
): number {
  if (aLength < 2 || bLength < 2) return 0;
  const aEnd = aStart + aLength;
  const bEnd = bStart + bLength;
  let nextA = aStart + 1;
  let nextB = bStart + 1;
  let remainingA = a[aStart];
  let remainingB = b[bStart];
  let onA = false;
  let onB = false;
  let intersection = 0;
  for (;;) {
    const step = remainingA < remainingB ? remainingA : remainingB;
    if (onA && onB) intersection += step;
    remainingA -= step;
    remainingB -= step;
    if (remainingA === 0) {
      if (nextA >= aEnd) break;
      remainingA = a[nextA++];
      onA = !onA;
    }
    if (remainingB === 0) {
      if (nextB >= bEnd) break;
      remainingB = b[nextB++];
      onB = !onB;
    }
  }
  return intersection;
}

/**
 * Mask IoU of one detection with one ground truth, as maskApi.c `rleIou`: 0 where
 * their toBbox boxes do not overlap, -1 for different mask sizes, 0 when no pixel is
 * shared, else intersection over union (over the detection's area for a crowd gt).
 * @param boxIou the box IoU of their toBbox boxes (only its sign matters)
 */
export function maskIouFromParts(
  boxIou: number,
  sameSize: boolean,
  intersection: () => number,
  dtArea: number,
  gtArea: number,
  crowd: boolean,
): number {
  if (!(boxIou > 0)) return boxIou;
  if (!sameSize) return -1;
  const shared = intersection();
  if (shared === 0) return 0;
  return shared / (crowd ? dtArea : dtArea + gtArea - shared);
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
  const boxes = (rles: readonly Rle[]) => {
    const out = new Float64Array(rles.length * 4);
    rles.forEach((rle, i) => {
      runsToBboxInto(rle.counts, 0, rle.counts.length, rle.height, rle.width, out, i * 4);
    });
    return out;
  };
  const dtBoxes = boxes(dts);
  const gtBoxes = boxes(gts);
  const ious = new Float64Array(dts.length * gts.length);
  for (let d = 0; d < dts.length; d++) {
    const dt = dts[d];
    for (let g = 0; g < gts.length; g++) {
      const gt = gts[g];
      const crowd = Boolean(iscrowd[g]);
      const b = (index: number, k: number) => index * 4 + k;
      const boxIou = boxPairIou(
        dtBoxes[b(d, 0)],
        dtBoxes[b(d, 1)],
        dtBoxes[b(d, 2)],
        dtBoxes[b(d, 3)],
        gtBoxes[b(g, 0)],
        gtBoxes[b(g, 1)],
        gtBoxes[b(g, 2)],
        gtBoxes[b(g, 3)],
        crowd,
      );
      ious[d * gts.length + g] = maskIouFromParts(
        boxIou,
        dt.height === gt.height && dt.width === gt.width,
        () => maskIntersection(dt.counts, 0, dt.counts.length, gt.counts, 0, gt.counts.length),
        rleArea(dt),
        rleArea(gt),
        crowd,
      );
    }
  }
  return ious;
}
