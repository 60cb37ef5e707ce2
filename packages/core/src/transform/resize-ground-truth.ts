import * as tf from '@tensorflow/tfjs-core';
import type { ImageSize } from '../types/images';
import type { GroundTruth } from '../types/instances';
import { resizeBoxes } from './resize-boxes';
import { resizeKeypoints } from './resize-keypoints';
import { resizeMasksNearest } from './resize-masks';

/**
 * Moves one image's targets into the resized image, as GeneralizedRCNNTransform.forward
 * does for training: boxes and keypoints scaled by the size ratios, masks resized
 * nearest-neighbour to `imageSize`.
 *
 * @param groundTruth targets in pixels of `originalSize`; not disposed
 * @param originalSize `[height, width]` of the image as given
 * @param imageSize `[height, width]` after resizing (`ImageBatch.imageSizes[i]`)
 * @returns new targets in `imageSize` pixels; every tensor (labels too, a clone) is the caller's
 */
export function resizeGroundTruth(
  groundTruth: GroundTruth,
  originalSize: ImageSize,
  imageSize: ImageSize,
): GroundTruth {
  // One tidy: if a later field is invalid, the tensors made for earlier ones are released.
  return tf.tidy(() => {
    const resized: { -readonly [K in keyof GroundTruth]: GroundTruth[K] } = {
      boxes: resizeBoxes(groundTruth.boxes, originalSize, imageSize),
      labels: tf.clone(groundTruth.labels),
    };
    if (groundTruth.masks) resized.masks = resizeMasksNearest(groundTruth.masks, imageSize);
    if (groundTruth.keypoints)
      resized.keypoints = resizeKeypoints(groundTruth.keypoints, originalSize, imageSize);
    return resized as unknown as tf.TensorContainer;
  }) as unknown as GroundTruth;
}
