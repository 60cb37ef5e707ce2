import * as tf from '@tensorflow/tfjs-core';
import type { Boxes } from '../types/boxes';
import { boxArea } from './box-area';
import { checkBoxes } from './validate';

/**
 * Intersection over union of every pair (torchvision.ops.box_iou), computed the same
 * way: `inter / (areaA + areaB - inter)` with the intersection's sides clamped at 0 and
 * no epsilon, so two zero-area boxes give NaN (0 / 0) as in torchvision.
 *
 * @param boxesA `[N, 4]` float32, xyxy absolute pixels; not disposed
 * @param boxesB `[M, 4]` float32, xyxy absolute pixels; not disposed
 * @returns `[N, M]` float32 (`[N, 0]` / `[0, M]` for empty inputs); caller owns
 */
export function pairwiseIou(boxesA: Boxes, boxesB: Boxes): tf.Tensor2D {
  checkBoxes(boxesA, 'boxesA');
  checkBoxes(boxesB, 'boxesB');
  const n = boxesA.shape[0];
  const m = boxesB.shape[0];
  if (n === 0 || m === 0) return tf.zeros([n, m], 'float32');
  return tf.tidy(() => {
    const a = tf.cast(boxesA, 'float32');
    const b = tf.cast(boxesB, 'float32');
    const areaA = tf.expandDims(boxArea(a as Boxes), 1);
    const areaB = tf.expandDims(boxArea(b as Boxes), 0);
    // [N, 1, 2] against [1, M, 2] -> [N, M, 2]
    const topLeft = tf.maximum(
      tf.expandDims(tf.slice(a, [0, 0], [n, 2]), 1),
      tf.expandDims(tf.slice(b, [0, 0], [m, 2]), 0),
    );
    const bottomRight = tf.minimum(
      tf.expandDims(tf.slice(a, [0, 2], [n, 2]), 1),
      tf.expandDims(tf.slice(b, [0, 2], [m, 2]), 0),
    );
    const sides = tf.relu(tf.sub(bottomRight, topLeft));
    const [width, height] = tf.unstack(sides, 2) as [tf.Tensor2D, tf.Tensor2D];
    const intersection = tf.mul(width, height);
    const union = tf.sub(tf.add(areaA, areaB), intersection);
    return tf.div(intersection, union) as tf.Tensor2D;
  });
}
