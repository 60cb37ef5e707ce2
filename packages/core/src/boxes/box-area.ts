import * as tf from '@tensorflow/tfjs-core';
import type { Boxes } from '../types/boxes';
import { checkBoxes } from './validate';

/**
 * Area of each box, `(x2 - x1) * (y2 - y1)` (torchvision.ops.box_area): no clamping, so
 * an inverted box (x2 < x1 xor y2 < y1) has a negative area, as in torchvision.
 *
 * @param boxes `[N, 4]` float32, xyxy absolute pixels; not disposed
 * @returns `[N]` float32; caller owns
 */
export function boxArea(boxes: Boxes): tf.Tensor1D {
  checkBoxes(boxes);
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.unstack(tf.cast(boxes, 'float32'), 1) as [
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor1D,
    ];
    return tf.mul(tf.sub(x2, x1), tf.sub(y2, y1));
  });
}
