import {
  type DetectorInstances,
  disposeDetections,
  type GeneralizedRcnn,
  type PredictStage,
  pasteInstanceMasks,
  sliceDetections,
} from '@rcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { downloadDetections, type PlainDetection } from './plain-detections';

/**
 * Pixels of pasted float32 masks held at once while downloading (4 bytes each: 32 MB). A
 * 1333x800 image pastes 7 masks at a time instead of torchvision's 100 (430 MB).
 */
const MASK_PIXELS_PER_CHUNK = 8_000_000;

/** Options of {@link detectImage}. */
export interface DetectImageOptions {
  /**
   * Wall time of each stage in milliseconds, as `GeneralizedRcnn.predict` reports them, except
   * that `postprocess` also counts pasting the masks, thresholding, RLE encoding and the read-back.
   */
  readonly onStage?: (stage: PredictStage, milliseconds: number) => void;
}

/**
 * Downloads one image's detections (original pixels, per-RoI masks) as plain records, every
 * field of the record (see `DETECTION_FIELDS`): masks are pasted at the image's size a few
 * instances at a time and RLE-encoded at once, so full-size float masks never pile up.
 * `detection` is not disposed.
 */
async function download(detection: DetectorInstances): Promise<PlainDetection[]> {
  if (!detection.masks) return downloadDetections(detection);
  const count = detection.boxes.shape[0];
  const [height, width] = detection.imageSize;
  const chunk = Math.max(1, Math.floor(MASK_PIXELS_PER_CHUNK / (height * width)));
  // The dense (matmul) pasting is one program per shape: the better fit for GPU backends.
  const method = tf.getBackend() === 'webgpu' ? 'dense' : 'perInstance';
  const instances: PlainDetection[] = [];
  for (let start = 0; start < count; start += chunk) {
    const part = sliceDetections(detection, start, Math.min(chunk, count - start));
    try {
      const masks = await pasteInstanceMasks(part, { method });
      try {
        instances.push(...(await downloadDetections({ ...part, masks })));
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
 * Runs `model` on one image and downloads every field of the result: boxes `[x1, y1, x2, y2]` in
 * the image's pixels, scores, labels, masks as COCO compressed RLE at the image's size
 * (threshold 0.5), keypoints, keypoint scores, mask scores, ... No tensor outlives the call;
 * `image` is not disposed.
 * @param image `[H, W, 3]` int32 0..255 or float32 0..1
 */
export async function detectImage(
  model: GeneralizedRcnn,
  image: tf.Tensor3D,
  { onStage }: DetectImageOptions = {},
): Promise<PlainDetection[]> {
  let postprocessMs = 0;
  const [detection] = await model.predict(image, {
    onStage: (stage, milliseconds) => {
      if (stage === 'postprocess') postprocessMs = milliseconds;
      else onStage?.(stage, milliseconds);
    },
  });
  try {
    const start = performance.now();
    const instances = await download(detection!);
    onStage?.('postprocess', postprocessMs + performance.now() - start);
    return instances;
  } finally {
    disposeDetections([detection!]);
  }
}
