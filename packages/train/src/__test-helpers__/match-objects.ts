import type { TrainingSample } from '../data/training-sample';

/** Intersection over union of two xyxy boxes. */
export function boxIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : 0;
}

/** One image's detections as plain arrays: boxes `N * 4` xyxy, scores, labels, masks `N * H * W` probabilities. */
export interface PlainDetections {
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly labels: Int32Array;
  readonly masks?: Float32Array;
}

/** How well the detections find one ground-truth object. */
export interface ObjectMatch {
  readonly label: number;
  /** The best-scoring detection of the object's label overlapping it by box IoU >= 0.5 (-1: none). */
  readonly detection: number;
  readonly score: number;
  readonly boxIou: number;
  /** IoU of the detection's mask thresholded at 0.5 with the object's mask (0 without masks). */
  readonly maskIou: number;
}

/**
 * For each object of `sample`, the highest-scoring detection of its label whose box overlaps
 * it by IoU >= 0.5 (torchvision's reference evaluation's loosest COCO threshold), with its
 * score, box IoU and mask IoU.
 */
export function matchObjects(sample: TrainingSample, detections: PlainDetections): ObjectMatch[] {
  const { width, height } = sample;
  const pixels = width * height;
  return Array.from(sample.labels, (label, k) => {
    const gt = sample.boxes.subarray(4 * k, 4 * k + 4);
    let best = -1;
    for (let d = 0; d < detections.scores.length; d++) {
      if (detections.labels[d] !== label) continue;
      if (boxIou(gt, detections.boxes.subarray(4 * d, 4 * d + 4)) < 0.5) continue;
      if (best < 0 || detections.scores[d]! > detections.scores[best]!) best = d;
    }
    if (best < 0) return { label, detection: -1, score: 0, boxIou: 0, maskIou: 0 };
    let maskIou = 0;
    if (detections.masks && sample.masks) {
      let inter = 0;
      let union = 0;
      for (let p = 0; p < pixels; p++) {
        const a = sample.masks[k * pixels + p] === 1;
        const b = detections.masks[best * pixels + p]! > 0.5;
        if (a && b) inter++;
        if (a || b) union++;
      }
      maskIou = union > 0 ? inter / union : 0;
    }
    return {
      label,
      detection: best,
      score: detections.scores[best]!,
      boxIou: boxIou(gt, detections.boxes.subarray(4 * best, 4 * best + 4)),
      maskIou,
    };
  });
}
