import type { ImageSize } from '@rcnn/core';
import {
  type DetectorInstances,
  disposeDetections,
  type GeneralizedRcnn,
  type PredictStage,
  pasteInstanceMasks,
  sliceDetections,
} from '@rcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { pasteMaskRle } from './paste-mask-rle';
import { downloadDetections, MASK_THRESHOLD, type PlainDetection } from './plain-detections';
import { toFilePixels } from './to-file-pixels';

/**
 * Pixels of pasted float32 masks held at once while downloading (4 bytes each: 32 MB). A
 * 1333x800 image pastes 7 masks at a time instead of torchvision's 100 (430 MB).
 */
const MASK_PIXELS_PER_CHUNK = 8_000_000;

/**
 * Above this many pixels (the shrunk decodes of `decodeForModel` are above 16 MP), masks are
 * pasted straight to RLE inside their boxes ({@link pasteMaskRle}) instead of as image-sized
 * float tensors (a 100 MP image would take 400 MB per mask).
 */
const HUGE_IMAGE_PIXELS = 16_000_000;

/**
 * {@link download} for huge images: the per-RoI masks are read back (`M * M` floats each) and
 * pasted into the image one at a time in JavaScript, touching only their boxes' pixels.
 */
async function downloadPastingInBoxes(detection: DetectorInstances): Promise<PlainDetection[]> {
  const { masks, ...rest } = detection;
  const instances = await downloadDetections(rest);
  const side = masks!.shape[1];
  const probabilities = await masks!.data();
  const [height, width] = detection.imageSize;
  for (const [i, instance] of instances.entries()) {
    const mask = probabilities.subarray(i * side * side, (i + 1) * side * side);
    instance.masks = pasteMaskRle(mask, side, instance.boxes as number[], height, width, MASK_THRESHOLD);
  }
  return instances;
}

/** Options of {@link detectImage}. */
export interface DetectImageOptions {
  /**
   * Wall time of each stage in milliseconds, as `GeneralizedRcnn.predict` reports them, except
   * that `postprocess` also counts pasting the masks, thresholding, RLE encoding and the read-back.
   */
  readonly onStage?: (stage: PredictStage, milliseconds: number) => void;
  /**
   * `[height, width]` of the image file when `image` is a shrunk decode of it
   * (`decodeForModel`): boxes and keypoints are mapped to the file's pixels and masks pasted
   * at this size. Default: the size of `image`.
   */
  readonly fileSize?: ImageSize;
}

/**
 * Downloads one image's detections (original pixels, per-RoI masks) as plain records, every
 * field of the record (see `DETECTION_FIELDS`): masks are pasted at the image's size a few
 * instances at a time and RLE-encoded at once, so full-size float masks never pile up.
 * `detection` is not disposed.
 */
async function download(detection: DetectorInstances): Promise<PlainDetection[]> {
  if (!detection.masks) return downloadDetections(detection);
  const [height, width] = detection.imageSize;
  if (height * width > HUGE_IMAGE_PIXELS) return downloadPastingInBoxes(detection);
  const count = detection.boxes.shape[0];
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
 * the image's pixels (the file's with `fileSize`), scores, labels, masks as COCO compressed RLE at the image's size
 * (threshold 0.5), keypoints, keypoint scores, mask scores, ... No tensor outlives the call;
 * `image` is not disposed.
 * @param image `[H, W, 3]` int32 0..255 or float32 0..1
 */
export async function detectImage(
  model: GeneralizedRcnn,
  image: tf.Tensor3D,
  { onStage, fileSize }: DetectImageOptions = {},
): Promise<PlainDetection[]> {
  let postprocessMs = 0;
  const [detection] = await model.predict(image, {
    onStage: (stage, milliseconds) => {
      if (stage === 'postprocess') postprocessMs = milliseconds;
      else onStage?.(stage, milliseconds);
    },
  });
  const start = performance.now();
  const [height, width] = detection!.imageSize;
  let inFile = detection!;
  if (fileSize && (fileSize[0] !== height || fileSize[1] !== width)) {
    try {
      inFile = toFilePixels(detection!, fileSize);
    } finally {
      disposeDetections([detection!]);
    }
  }
  try {
    const instances = await download(inFile);
    onStage?.('postprocess', postprocessMs + performance.now() - start);
    return instances;
  } finally {
    disposeDetections([inFile]);
  }
}
