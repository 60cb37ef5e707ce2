import { asBoxes, type Boxes, ensure } from '@rcnn/core';
import type { BranchPrediction } from '@rcnn/heads';
import * as tf from '@tensorflow/tfjs-core';
import { type DetectionFieldName, type DetectorInstances, detectionFieldsOf } from '../detector-instances';

/**
 * Row counts the RoI heads pad to at inference, so GPU backends (webgpu) see the same few
 * shapes from one image to the next and compile no new shaders when the counts change: each
 * image's proposals before the box branch, and its detections before every extra branch (mask,
 * keypoint), are padded to the next multiple. Padding rows repeat the image's first row; their
 * results are dropped, so each real row's result is computed as without padding (every RoI is
 * computed on its own).
 */
export interface RoiPadding {
  /** Proposals per image are padded to a multiple of this (e.g. 32: 1000 -> 1024). */
  readonly proposals: number;
  /** Detections per image are padded to a multiple of this (e.g. 8) before the mask and keypoint branches. */
  readonly detections: number;
}

/** Throws `INVALID_ARGUMENT` unless both multiples are positive integers. */
export function checkRoiPadding(padding: RoiPadding): void {
  for (const [name, value] of Object.entries(padding)) {
    ensure(
      Number.isInteger(value) && value > 0,
      'INVALID_ARGUMENT',
      () => `roiPadding.${name} must be a positive integer, got ${value}`,
    );
  }
}

/** `count` rounded up to a multiple of `multiple` (0 stays 0: nothing to repeat). */
export function paddedCount(count: number, multiple: number): number {
  return Math.ceil(count / multiple) * multiple;
}

/** `tensor` with its first row repeated up to `rows` rows; caller owns (a new tensor). */
function padTensorRows<T extends tf.Tensor>(tensor: T, rows: number): T {
  return tf.tidy(() => {
    const extra = rows - tensor.shape[0]!;
    if (extra === 0) return tf.clone(tensor);
    const first = tf.slice(tensor, 0, 1);
    return tf.concat([tensor, tf.tile(first, [extra, ...tensor.shape.slice(1).map(() => 1)])]) as T;
  });
}

/** Each image's boxes padded to a multiple of `multiple` rows. Caller owns the new tensors; `proposals` not disposed. */
export function padProposals(proposals: readonly Boxes[], multiple: number): Boxes[] {
  return proposals.map((boxes) => asBoxes(padTensorRows(boxes, paddedCount(boxes.shape[0], multiple))));
}

/**
 * The rows of real proposals in the box branch's output for padded inputs (images' rows
 * concatenated in order). `padded` is disposed; caller owns the result.
 * @param counts real rows per image; `multiple` as given to {@link padProposals}
 */
export function dropPaddedRows<T extends tf.Tensor>(
  padded: T,
  counts: readonly number[],
  multiple: number,
): T {
  try {
    return tf.tidy(() => {
      let start = 0;
      const parts = counts.map((count) => {
        const rest = padded.shape.slice(1);
        const part = tf.slice(padded, [start, ...rest.map(() => 0)], [count, ...rest]);
        start += paddedCount(count, multiple);
        return part;
      });
      return (parts.length === 1 ? parts[0]! : tf.concat(parts)) as T;
    });
  } finally {
    padded.dispose();
  }
}

/** A detection with every field padded to a multiple of `multiple` rows. Caller owns the new tensors. */
export function padDetection(detection: DetectorInstances, multiple: number): DetectorInstances {
  const rows = paddedCount(detection.boxes.shape[0], multiple);
  const padded: Partial<Record<DetectionFieldName, tf.Tensor>> = {};
  try {
    for (const [name, tensor] of detectionFieldsOf(detection)) padded[name] = padTensorRows(tensor, rows);
  } catch (error) {
    tf.dispose(Object.values(padded));
    throw error;
  }
  return { imageSize: detection.imageSize, ...padded } as DetectorInstances;
}

/** The first `count` rows of every field of a branch's prediction; `prediction` is disposed. */
export function firstRows(prediction: BranchPrediction, count: number): BranchPrediction {
  const fields = Object.entries(prediction) as [keyof BranchPrediction, tf.Tensor][];
  try {
    return tf.tidy(() =>
      Object.fromEntries(
        fields.map(([name, tensor]) => {
          const rest = tensor.shape.slice(1);
          return [name, tf.slice(tensor, [0, ...rest.map(() => 0)], [count, ...rest])];
        }),
      ),
    ) as BranchPrediction;
  } finally {
    tf.dispose(fields.map(([, tensor]) => tensor));
  }
}
