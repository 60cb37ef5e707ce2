import type { ImageSize } from '@rcnn/core';
import {
  type DetectorInstances,
  disposeDetections,
  type GeneralizedRcnn,
  type PredictStage,
} from '@rcnn/models';
import { pasteMasksToRle } from '@rcnn/postprocess';
import type * as tf from '@tensorflow/tfjs-core';
import { downloadDetections, MASK_THRESHOLD, type PlainDetection } from './plain-detections';
import { toFilePixels } from './to-file-pixels';

/**
 * Downloads one image's detections as plain records, every field of the record (see
 * `DETECTION_FIELDS`). Masks: the per-RoI `M x M` probabilities are read back and each is pasted
 * into the image straight to RLE in JavaScript, touching only its box's pixels
 * (`pasteMasksToRle`): no image-sized float masks, thresholding or bit-packing passes
 * (at 800x800 with 100 detections those took ~1.3 s on wasm). `detection` is not disposed.
 */
async function download(detection: DetectorInstances): Promise<PlainDetection[]> {
  const { masks, ...rest } = detection;
  const instances = await downloadDetections(rest);
  if (!masks) return instances;
  const boxes = instances.map((instance) => instance.boxes as number[]);
  const rles = await pasteMasksToRle(masks, boxes, detection.imageSize, MASK_THRESHOLD);
  for (const [i, instance] of instances.entries()) instance.masks = rles[i];
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
