import * as tf from '@tensorflow/tfjs-core';
import { checkBoxes } from '../boxes/validate';
import type { Boxes } from '../types/boxes';
import type { ImageSize } from '../types/images';
import { sizeRatios } from './size-ratios';

/**
 * Scales boxes from an image of `fromSize` to one of `toSize`
 * (torchvision/models/detection/transform.py::resize_boxes: x by the float32 ratio
 * toWidth / fromWidth, y by toHeight / fromHeight).
 *
 * @param boxes `[N, 4]` float32, xyxy pixels of `fromSize`; not disposed
 * @param fromSize `[height, width]` the boxes live in
 * @param toSize `[height, width]` to map them to
 * @returns `[N, 4]` float32 xyxy pixels of `toSize`; caller owns
 */
export function resizeBoxes(boxes: Boxes, fromSize: ImageSize, toSize: ImageSize): Boxes {
  checkBoxes(boxes);
  const [ratioHeight, ratioWidth] = sizeRatios(fromSize, toSize);
  return tf.tidy(() =>
    tf.mul(
      tf.cast(boxes, 'float32'),
      tf.tensor1d([ratioWidth, ratioHeight, ratioWidth, ratioHeight], 'float32'),
    ),
  ) as Boxes;
}

/**
 * Maps detections from the resized image back to the user's image, as torchvision's
 * GeneralizedRCNNTransform.postprocess does for boxes: `resizeBoxes(boxes, imageSize, originalSize)`.
 *
 * @param boxes `[N, 4]` float32 xyxy pixels of the resized image (`ImageBatch.imageSizes[i]`); not disposed
 * @param imageSize `[height, width]` after resizing
 * @param originalSize `[height, width]` of the image as given (`ImageBatch.originalSizes[i]`)
 * @returns `[N, 4]` float32 xyxy pixels of the original image; caller owns
 */
export function mapBoxesToOriginal(boxes: Boxes, imageSize: ImageSize, originalSize: ImageSize): Boxes {
  return resizeBoxes(boxes, imageSize, originalSize);
}
