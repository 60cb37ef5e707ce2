import type { DetectedInstance } from '@rcnn/core';
import {
  type DetectorInstances,
  disposeDetections,
  type GeneralizedRcnn,
  type PredictStage,
  pasteInstanceMasks,
} from '@rcnn/models';
import { toDetectedInstances } from '@rcnn/postprocess';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Pixels of pasted float32 masks held at once while downloading (4 bytes each: 32 MB). A
 * 1333x800 image pastes 7 masks at a time instead of torchvision's 100 (430 MB).
 */
const MASK_PIXELS_PER_CHUNK = 8_000_000;

/** Options of {@link detectImage}. */
export interface DetectImageOptions {
  /** Names by label, set as `categoryName` on each instance. */
  readonly categoryNames?: readonly string[];
  /**
   * Wall time of each stage in milliseconds, as `GeneralizedRcnn.predict` reports them, except
   * that `postprocess` also counts pasting the masks, thresholding, RLE encoding and the read-back.
   */
  readonly onStage?: (stage: PredictStage, milliseconds: number) => void;
}

/** Rows `[start, start + size)` of every field. Caller owns the new tensors. */
function sliceDetections(detection: DetectorInstances, start: number, size: number): DetectorInstances {
  const rows = <T extends tf.Tensor>(tensor: T): T =>
    tf.slice(tensor, [start, ...tensor.shape.slice(1).map(() => 0)], [size, ...tensor.shape.slice(1)]);
  return {
    imageSize: detection.imageSize,
    boxes: rows(detection.boxes),
    scores: rows(detection.scores),
    labels: rows(detection.labels),
    ...(detection.masks ? { masks: rows(detection.masks) } : {}),
    ...(detection.keypoints ? { keypoints: rows(detection.keypoints) } : {}),
    ...(detection.keypointScores ? { keypointScores: rows(detection.keypointScores) } : {}),
  };
}

/**
 * Downloads one image's detections (original pixels, per-RoI masks) as plain objects: masks are
 * pasted at the image's size a few instances at a time and RLE-encoded at once, so full-size
 * float masks never pile up. `detection` is not disposed.
 */
async function download(
  detection: DetectorInstances,
  categoryNames: readonly string[] | undefined,
): Promise<DetectedInstance[]> {
  const options = categoryNames ? { categoryNames } : {};
  if (!detection.masks) return toDetectedInstances(detection, options);
  const count = detection.boxes.shape[0];
  const [height, width] = detection.imageSize;
  const chunk = Math.max(1, Math.floor(MASK_PIXELS_PER_CHUNK / (height * width)));
  // The dense (matmul) pasting is one program per shape: the better fit for GPU backends.
  const method = tf.getBackend() === 'webgpu' ? 'dense' : 'perInstance';
  const instances: DetectedInstance[] = [];
  for (let start = 0; start < count; start += chunk) {
    const part = sliceDetections(detection, start, Math.min(chunk, count - start));
    try {
      const masks = await pasteInstanceMasks(part, { method });
      try {
        instances.push(...(await toDetectedInstances({ ...part, masks }, options)));
      } finally {
        masks.dispose();
      }
    } finally {
      disposeDetections([part]);
    }
  }
  return instances;
}

/**
 * Runs `model` on one image and downloads the result: boxes `[x1, y1, x2, y2]` in the image's
 * pixels, scores, labels, masks as COCO compressed RLE at the image's size (threshold 0.5),
 * keypoints `[x, y, score]`. No tensor outlives the call; `image` is not disposed.
 * @param image `[H, W, 3]` int32 0..255 or float32 0..1
 */
export async function detectImage(
  model: GeneralizedRcnn,
  image: tf.Tensor3D,
  { categoryNames, onStage }: DetectImageOptions = {},
): Promise<DetectedInstance[]> {
  let postprocessMs = 0;
  const [detection] = await model.predict(image, {
    onStage: (stage, milliseconds) => {
      if (stage === 'postprocess') postprocessMs = milliseconds;
      else onStage?.(stage, milliseconds);
    },
  });
  try {
    const start = performance.now();
    const instances = await download(detection!, categoryNames);
    onStage?.('postprocess', postprocessMs + performance.now() - start);
    return instances;
  } finally {
    disposeDetections([detection!]);
  }
}
