import type { DetectedInstance } from '@rcnn/core';
import {
  type DetectorInstances,
  disposeDetections,
  type GeneralizedRcnn,
  type PredictStage,
} from '@rcnn/models';
import { pasteMasksToRle, toDetectedInstances } from '@rcnn/postprocess';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Downloads one image's detections. Masks: the per-RoI `M x M` probabilities are read back once
 * and each is pasted into the image straight to RLE in JavaScript, inside its box
 * (`pasteMasksToRle`), as the CLI does: no image-sized masks on the device, no extra shaders.
 * `detection` is not disposed.
 */
async function download(detection: DetectorInstances, categoryNames?: readonly string[]) {
  const { masks, ...rest } = detection;
  const instances = await toDetectedInstances(rest, categoryNames ? { categoryNames } : {});
  if (!masks) return instances;
  const rles = await pasteMasksToRle(
    masks,
    instances.map((instance) => instance.box),
    detection.imageSize,
  );
  for (const [i, instance] of instances.entries()) instance.mask = rles[i];
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
