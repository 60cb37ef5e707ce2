import * as tf from '@tensorflow/tfjs-core';
import type { Boxes } from '../types/boxes';
import { checkBoxes } from './validate';

/**
 * xyxy to `[x, y, width, height]` (COCO JSON's box format), for the edges of the library.
 *
 * @param boxes `[N, 4]` float32 xyxy pixels; not disposed
 * @returns `[N, 4]` float32 xywh; caller owns
 */
export function toXywh(boxes: Boxes): tf.Tensor2D {
  checkBoxes(boxes);
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.unstack(tf.cast(boxes, 'float32'), 1) as tf.Tensor1D[];
    return tf.stack([x1!, y1!, tf.sub(x2!, x1!), tf.sub(y2!, y1!)], 1) as tf.Tensor2D;
  });
}

/**
 * `[x, y, width, height]` (COCO JSON) to xyxy {@link Boxes}.
 *
 * @param boxes `[N, 4]` float32 xywh pixels; not disposed
 * @returns `[N, 4]` float32 xyxy; caller owns
 */
export function fromXywh(boxes: tf.Tensor2D): Boxes {
  checkBoxes(boxes);
  return tf.tidy(() => {
    const [x, y, width, height] = tf.unstack(tf.cast(boxes, 'float32'), 1) as tf.Tensor1D[];
    return tf.stack([x!, y!, tf.add(x!, width!), tf.add(y!, height!)], 1) as Boxes;
  });
}
