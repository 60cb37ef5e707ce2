import { type Instances, RcnnError } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * One image's detections from a detector: core's `Instances` plus what extra branches add that
 * core has no field for yet. `maskScores` (Mask Scoring R-CNN: class score x predicted MaskIoU,
 * `[N]` float32) comes from a `MaskIouBranch`. Every tensor field is listed in
 * {@link DETECTION_FIELDS}, which drives mapping, slicing, conversion and disposal.
 */
export interface DetectorInstances extends Instances {
  readonly maskScores?: tf.Tensor1D;
}

/** The per-instance tensor fields of {@link DetectorInstances} (all but `imageSize`). */
export type DetectionFieldName = Exclude<keyof DetectorInstances, 'imageSize'>;

/** How a field reaches the original image's coordinates after `predict`. */
export type CoordinateMapping =
  /** `[N, 4]` xyxy, scaled per axis (`mapBoxesToOriginal`). */
  | 'boxes'
  /** `[N, K, 3]`: x and y scaled per axis (`mapKeypointsToOriginal`). */
  | 'keypoints'
  /** `[N, M, M]` per-RoI; pasted into the image with the mapped boxes when pasting is asked for. */
  | 'masks'
  /** Not in pixels (scores, labels, ...): kept as is. */
  | 'none';

/** How one instance's row of a field becomes plain JSON. */
export type PlainForm =
  /** `[x1, y1, x2, y2]`. */
  | 'box'
  /** One number. */
  | 'number'
  /** One integer. */
  | 'integer'
  /** An image-sized mask, thresholded at 0.5 and COCO-RLE encoded. */
  | 'rle'
  /** `[[x, y, score], ...]`. */
  | 'points'
  /** `[K]` scores that replace the third column of the `points` field with the same key. */
  | 'point-scores';

/** What the table says about one field. */
export interface DetectionField {
  readonly coordinates: CoordinateMapping;
  /** The key of one instance in plain records (the CLI's JSON). */
  readonly plainKey: string;
  readonly plainForm: PlainForm;
}

/**
 * Every tensor field of {@link DetectorInstances}: how `predict` maps it to original pixels,
 * and how apps turn it into plain JSON. Rows are instances in every field, so slicing and
 * disposal are the same for all. Typed as a complete record: a field added to
 * `DetectorInstances` without a row here does not compile, and a tensor under a key not listed
 * here is refused at run time ({@link detectionFieldsOf}), so no branch's output is dropped.
 * Order matters: `boxes` first (masks are pasted with the mapped boxes), `points` before
 * `point-scores`.
 */
export const DETECTION_FIELDS: Readonly<Record<DetectionFieldName, DetectionField>> = {
  boxes: { coordinates: 'boxes', plainKey: 'box', plainForm: 'box' },
  scores: { coordinates: 'none', plainKey: 'score', plainForm: 'number' },
  labels: { coordinates: 'none', plainKey: 'label', plainForm: 'integer' },
  masks: { coordinates: 'masks', plainKey: 'mask', plainForm: 'rle' },
  maskScores: { coordinates: 'none', plainKey: 'maskScore', plainForm: 'number' },
  keypoints: { coordinates: 'keypoints', plainKey: 'keypoints', plainForm: 'points' },
  keypointScores: { coordinates: 'none', plainKey: 'keypoints', plainForm: 'point-scores' },
};

/** The names of {@link DETECTION_FIELDS}, in table order. */
export const DETECTION_FIELD_NAMES = Object.keys(DETECTION_FIELDS) as readonly DetectionFieldName[];

function isDetectionField(key: string): key is DetectionFieldName {
  return Object.hasOwn(DETECTION_FIELDS, key);
}

/**
 * The tensor fields present in `detection`, in table order.
 * @throws RcnnError `INVALID_ARGUMENT` naming a tensor under a key the table does not list
 */
export function detectionFieldsOf(detection: DetectorInstances): [DetectionFieldName, tf.Tensor][] {
  for (const [key, value] of Object.entries(detection)) {
    if (value instanceof tf.Tensor && !isDetectionField(key)) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `detections carry a tensor '${key}' that DETECTION_FIELDS (@rcnn/models detector-instances.ts) does not list: add a row saying how to map, convert and dispose it`,
      );
    }
  }
  const present: [DetectionFieldName, tf.Tensor][] = [];
  for (const name of DETECTION_FIELD_NAMES) {
    const tensor = detection[name];
    if (tensor) present.push([name, tensor]);
  }
  return present;
}

/**
 * Disposes every tensor of each record: the table's fields and, so nothing leaks, any other
 * tensor a record carries.
 */
export function disposeDetections(detections: readonly DetectorInstances[]): void {
  for (const detection of detections) {
    for (const value of Object.values(detection)) {
      if (value instanceof tf.Tensor) value.dispose();
    }
  }
}

/**
 * Rows `[start, start + size)` of every field (instances `start..start+size-1`), e.g. to paste
 * and download masks a few instances at a time.
 * @param detection not disposed
 * @returns the same `imageSize` and new tensors; caller owns (`disposeDetections`)
 * @throws RcnnError `INVALID_ARGUMENT` for rows outside `[0, N)` or an unlisted tensor field
 */
export function sliceDetections(
  detection: DetectorInstances,
  start: number,
  size: number,
): DetectorInstances {
  const count = detection.boxes.shape[0];
  if (
    !(Number.isInteger(start) && Number.isInteger(size) && start >= 0 && size >= 0 && start + size <= count)
  ) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `sliceDetections: rows [${start}, ${start + size}) are outside the ${count} detections`,
    );
  }
  const fields = detectionFieldsOf(detection);
  const sliced: Partial<Record<DetectionFieldName, tf.Tensor>> = {};
  try {
    for (const [name, tensor] of fields) {
      const rest = tensor.shape.slice(1);
      sliced[name] = tf.slice(tensor, [start, ...rest.map(() => 0)], [size, ...rest]);
    }
  } catch (error) {
    tf.dispose(Object.values(sliced));
    throw error;
  }
  return { imageSize: detection.imageSize, ...sliced } as DetectorInstances;
}
