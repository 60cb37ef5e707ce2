import type { CompressedRle } from '@rcnn/core';
import { DETECTION_FIELD_NAMES, DETECTION_FIELDS, type PlainForm } from '@rcnn/models';
import type { PlainDetection } from '../plain-detections';

/**
 * One detection in `rcnn predict`'s JSON: one key per field of the detections record, as
 * `DETECTION_FIELDS` (@rcnn/models) names and converts it.
 */
export interface InstanceJson {
  /** `[x1, y1, x2, y2]` in the original image's pixels. */
  box: [number, number, number, number];
  score: number;
  /** Class index in the model's weights (COCO category id for torchvision's 91-class models). */
  label: number;
  /** The label's name, when the model's names are known (its model record's, or COCO's). */
  categoryName?: string;
  /** Binary mask (probability > 0.5) as COCO compressed RLE, `size` = `[height, width]`. */
  mask?: CompressedRle;
  /** Mask Scoring R-CNN's mask score: class score x predicted MaskIoU. */
  maskScore?: number;
  /** `[x, y, score]` per keypoint, in the original image's pixels. */
  keypoints?: [number, number, number][];
  /** Any further field a branch adds, under its `plainKey`. */
  [key: string]: unknown;
}

/** One image's entry in `rcnn predict`'s JSON list. */
export interface ImageResult {
  image: string;
  width: number;
  height: number;
  instances: InstanceJson[];
}

/** Four decimals: 1e-4 px is far below what a float32 box carries at image scale, and keeps files small. */
function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** Puts one field's plain value into `entry` under `key`, as its form says. */
function putField(entry: Record<string, unknown>, key: string, form: PlainForm, value: unknown): void {
  switch (form) {
    case 'box':
      entry[key] = (value as number[]).map(round);
      return;
    case 'number':
      entry[key] = round(value as number);
      return;
    case 'integer':
      entry[key] = Math.round(value as number);
      return;
    case 'rle':
      entry[key] = value;
      return;
    case 'points':
      entry[key] = (value as number[][]).map(([x, y, score]) => [round(x!), round(y!), round(score!)]);
      return;
    case 'point-scores': {
      // Replaces the third column of the points under the same key (torchvision's keypoint scores).
      const scores = (value as number[]).map(round);
      const points = entry[key] as number[][] | undefined;
      entry[key] = points ? points.map(([x, y], k) => [x, y, scores[k]]) : scores;
      return;
    }
    default: {
      const unknown: never = form;
      throw new Error(`unhandled plain form ${String(unknown)}`);
    }
  }
}

/**
 * The JSON of one detection: every field it carries, each under its `plainKey` and converted
 * by its `plainForm` (numbers rounded to 4 decimals), in the table's order; `categoryName`
 * after the label when `names` (by label, 0 = background) has one for it.
 */
export function toInstanceJson(detection: PlainDetection, names?: readonly string[]): InstanceJson {
  const entry: Record<string, unknown> = {};
  for (const name of DETECTION_FIELD_NAMES) {
    const value = detection[name];
    if (value === undefined) continue;
    const { plainKey, plainForm } = DETECTION_FIELDS[name];
    putField(entry, plainKey, plainForm, value);
    const categoryName = name === 'labels' ? names?.[value as number] : undefined;
    if (categoryName !== undefined) entry.categoryName = categoryName;
  }
  return entry as InstanceJson;
}

/** The JSON entry of one image (fields as in the README). */
export function toImageResult(
  path: string,
  image: { width: number; height: number },
  detections: readonly PlainDetection[],
  names?: readonly string[],
): ImageResult {
  return {
    image: path,
    width: image.width,
    height: image.height,
    instances: detections.map((detection) => toInstanceJson(detection, names)),
  };
}
