import * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';
import type { ImageSize } from '../types/images';
import { sizeRatios } from './size-ratios';

/**
 * Scales keypoints from an image of `fromSize` to one of `toSize`
 * (torchvision/models/detection/transform.py::resize_keypoints): x by the width ratio,
 * y by the height ratio, the third value (visibility or score) unchanged.
 *
 * @param keypoints `[N, K, 3]` float32 (x, y, visibility) in pixels of `fromSize`; not disposed
 * @param fromSize `[height, width]` the keypoints live in
 * @param toSize `[height, width]` to map them to
 * @returns `[N, K, 3]` float32; caller owns
 */
export function resizeKeypoints(keypoints: tf.Tensor3D, fromSize: ImageSize, toSize: ImageSize): tf.Tensor3D {
  ensure(
    keypoints.rank === 3 && keypoints.shape[2] === 3,
    'INVALID_SHAPE',
    () => `keypoints must have shape [N, K, 3] (x, y, visibility), got [${keypoints.shape.join(', ')}]`,
  );
  const [ratioHeight, ratioWidth] = sizeRatios(fromSize, toSize);
  return tf.tidy(() =>
    tf.mul(tf.cast(keypoints, 'float32'), tf.tensor1d([ratioWidth, ratioHeight, 1], 'float32')),
  );
}

/**
 * Maps keypoints from the resized image back to the user's image, as torchvision's
 * GeneralizedRCNNTransform.postprocess does: `resizeKeypoints(keypoints, imageSize, originalSize)`.
 *
 * @param keypoints `[N, K, 3]` float32 in pixels of the resized image; not disposed
 * @param imageSize `[height, width]` after resizing
 * @param originalSize `[height, width]` of the image as given
 * @returns `[N, K, 3]` float32 in original-image pixels; caller owns
 */
export function mapKeypointsToOriginal(
  keypoints: tf.Tensor3D,
  imageSize: ImageSize,
  originalSize: ImageSize,
): tf.Tensor3D {
  return resizeKeypoints(keypoints, imageSize, originalSize);
}
