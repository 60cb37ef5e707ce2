import * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';
import type { Boxes } from '../types/boxes';
import type { ImageSize } from '../types/images';
import { checkBoxes } from './validate';

/**
 * Clamps x to `[0, width]` and y to `[0, height]` (torchvision.ops.clip_boxes_to_image).
 * Inverted boxes stay inverted (each coordinate is clamped on its own).
 *
 * @param boxes `[N, 4]` float32, xyxy absolute pixels; not disposed
 * @param imageSize `[height, width]` in pixels
 * @returns `[N, 4]` float32 xyxy; caller owns
 */
export function clipBoxes(boxes: Boxes, imageSize: ImageSize): Boxes {
  checkBoxes(boxes);
  const [height, width] = imageSize;
  ensure(
    Number.isFinite(height) && Number.isFinite(width) && height >= 0 && width >= 0,
    'INVALID_ARGUMENT',
    () => `imageSize must be [height, width] with finite non-negative values, got [${imageSize.join(', ')}]`,
  );
  return tf.tidy(() => {
    const upper = tf.tensor1d([width, height, width, height], 'float32');
    return tf.minimum(tf.relu(tf.cast(boxes, 'float32')), upper) as Boxes;
  });
}
