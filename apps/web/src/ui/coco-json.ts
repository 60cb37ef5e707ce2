import type { CompressedRle, DetectedInstance } from '@rcnn/core';

/** One detection in COCO's results format (what `COCO.loadRes` and `@rcnn/coco-eval` read). */
export interface CocoResult {
  image_id: number;
  category_id: number;
  /** `[x, y, width, height]` in pixels. */
  bbox: [number, number, number, number];
  score: number;
  segmentation?: CompressedRle;
  /** `[x1, y1, v1, x2, y2, v2, ...]` with the keypoint score as `v`. */
  keypoints?: number[];
}

/**
 * The shown detections of one image in COCO's results format (a list of annotations with
 * `score`; boxes converted from xyxy to xywh, masks as compressed RLE, keypoints flattened).
 */
export function toCocoResults(instances: readonly DetectedInstance[], imageId = 1): CocoResult[] {
  return instances.map((instance) => {
    const [x1, y1, x2, y2] = instance.box;
    const result: CocoResult = {
      image_id: imageId,
      category_id: instance.label,
      bbox: [x1, y1, x2 - x1, y2 - y1],
      score: instance.score,
    };
    if (instance.mask) result.segmentation = instance.mask;
    if (instance.keypoints) result.keypoints = instance.keypoints.flat();
    return result;
  });
}
