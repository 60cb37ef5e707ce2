import { type BoxArray, type CompressedRle, type DetectedInstance, ensure } from '@rcnn/core';
import {
  DETECTION_FIELDS,
  type DetectionFieldName,
  type DetectorInstances,
  detectionFieldsOf,
} from '@rcnn/models';
import { masksToRle, thresholdMasks } from '@rcnn/postprocess';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * One detection as plain values, by field name ({@link DETECTION_FIELDS}): `boxes` a
 * `[x1, y1, x2, y2]` array, `scores` a number, `masks` a COCO compressed RLE, `keypoints`
 * `[x, y, visibility][]`, `keypointScores` `number[]`, `maskScores` a number, and so on for
 * every field the record carries.
 */
export type PlainDetection = Partial<Record<DetectionFieldName, unknown>>;

/** Mask pixels with probability strictly above this are foreground (torchvision's reference scripts). */
export const MASK_THRESHOLD = 0.5;

async function masksAsRle(masks: tf.Tensor3D): Promise<CompressedRle[]> {
  const binary = thresholdMasks(masks, MASK_THRESHOLD);
  try {
    return await masksToRle(binary);
  } finally {
    binary.dispose();
  }
}

/**
 * Downloads every field of one image's detections, as the table says: `rle` fields
 * thresholded and RLE-encoded, the others read back as arrays (one row per instance). A field
 * the table does not list is an error, never dropped.
 * @param detection masks, when present, already pasted at `imageSize`; not disposed
 * @returns one record per instance, in order
 * @throws RcnnError `INVALID_SHAPE` for unpasted masks, `INVALID_ARGUMENT` for an unlisted field
 */
export async function downloadDetections(detection: DetectorInstances): Promise<PlainDetection[]> {
  const count = detection.boxes.shape[0];
  const [height, width] = detection.imageSize;
  const rows: PlainDetection[] = Array.from({ length: count }, () => ({}));
  for (const [name, tensor] of detectionFieldsOf(detection)) {
    ensure(
      tensor.shape[0] === count,
      'INVALID_SHAPE',
      () => `${name} has ${tensor.shape[0]} rows for ${count} boxes`,
    );
    let values: unknown[];
    if (DETECTION_FIELDS[name].plainForm === 'rle') {
      ensure(
        tensor.shape[1] === height && tensor.shape[2] === width,
        'INVALID_SHAPE',
        () =>
          `${name} are ${tensor.shape.slice(1).join('x')} but the image is ${height}x${width}: paste them first`,
      );
      values = await masksAsRle(tensor as tf.Tensor3D);
    } else {
      values = (await tensor.array()) as unknown[];
    }
    for (const [i, value] of values.entries()) rows[i]![name] = value;
  }
  return rows;
}

/**
 * The drawing view of a detection (core's `DetectedInstance`): box, score, label, mask and
 * keypoints, whose third column is the keypoint score when the record has `keypointScores`.
 */
export function toDetectedInstance(
  detection: PlainDetection,
  categoryNames?: readonly string[],
): DetectedInstance {
  const label = detection.labels as number;
  const instance: DetectedInstance = {
    box: detection.boxes as BoxArray,
    score: detection.scores as number,
    label,
  };
  const name = categoryNames?.[label];
  if (name !== undefined) instance.categoryName = name;
  if (detection.masks) instance.mask = detection.masks as CompressedRle;
  const points = detection.keypoints as [number, number, number][] | undefined;
  if (points) {
    const scores = detection.keypointScores as number[] | undefined;
    instance.keypoints = points.map(([x, y, visibility], k) => [x, y, scores ? scores[k]! : visibility]);
  }
  return instance;
}
