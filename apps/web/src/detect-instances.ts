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

/** Pasted float32 mask pixels held at once (32 MB): a 1333x800 image pastes 7 masks at a time. */
const MASK_PIXELS_PER_CHUNK = 8_000_000;

/** Rows `[start, start + size)` of every field. Caller owns the new tensors. */
function sliceRows(detection: DetectorInstances, start: number, size: number): DetectorInstances {
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

/** Downloads one image's detections; masks are pasted a few at a time and RLE-encoded. `detection` is not disposed. */
async function download(detection: DetectorInstances, categoryNames?: readonly string[]) {
  const options = categoryNames ? { categoryNames } : {};
  if (!detection.masks) return toDetectedInstances(detection, options);
  const count = detection.boxes.shape[0];
  const [height, width] = detection.imageSize;
  const chunk = Math.max(1, Math.floor(MASK_PIXELS_PER_CHUNK / (height * width)));
  // The dense (matmul) pasting is one program per shape: the better fit for GPU backends.
  const method = tf.getBackend() === 'webgpu' ? 'dense' : 'perInstance';
  const instances: DetectedInstance[] = [];
  for (let start = 0; start < count; start += chunk) {
    const part = sliceRows(detection, start, Math.min(chunk, count - start));
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
 * Runs `model` on one image on the active backend and downloads the result as plain objects:
 * boxes `[x1, y1, x2, y2]` in the image's pixels, scores, labels, masks as COCO compressed RLE
 * at the image's size (probability > 0.5), keypoints `[x, y, score]`. The same steps as the
 * CLI's `rcnn predict`. No tensor outlives the call; `image` is not disposed.
 * @param image `[H, W, 3]` int32 0..255
 * @param onStage wall time per stage in milliseconds; `postprocess` includes pasting and download
 */
export async function detectInstances(
  model: GeneralizedRcnn,
  image: tf.Tensor3D,
  onStage?: (stage: PredictStage, milliseconds: number) => void,
  categoryNames?: readonly string[],
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
