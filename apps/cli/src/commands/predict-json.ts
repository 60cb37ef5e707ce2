import type { CompressedRle, DetectedInstance, RgbImage } from '@rcnn/core';

/** One detection in `rcnn predict`'s JSON. */
export interface InstanceJson {
  /** `[x1, y1, x2, y2]` in the original image's pixels. */
  box: [number, number, number, number];
  score: number;
  /** Class index in the model's weights (COCO category id for torchvision's 91-class models). */
  label: number;
  /** Binary mask (probability > 0.5) as COCO compressed RLE, `size` = `[height, width]`. */
  mask?: CompressedRle;
  /** `[x, y, score]` per keypoint, in the original image's pixels. */
  keypoints?: [number, number, number][];
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

/** The JSON entry of one image (numbers rounded to 4 decimals; fields as in the README). */
export function toImageResult(
  path: string,
  image: RgbImage,
  instances: readonly DetectedInstance[],
): ImageResult {
  return {
    image: path,
    width: image.width,
    height: image.height,
    instances: instances.map((instance) => {
      const entry: InstanceJson = {
        box: instance.box.map(round) as InstanceJson['box'],
        score: round(instance.score),
        label: instance.label,
      };
      if (instance.mask) entry.mask = instance.mask;
      if (instance.keypoints) {
        entry.keypoints = instance.keypoints.map(([x, y, score]) => [round(x), round(y), round(score)]);
      }
      return entry;
    }),
  };
}
