import * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';
import type { Boxes } from '../types/boxes';
import { checkBoxes } from './validate';

/**
 * Indices of the boxes whose width and height are both at least `minSize`
 * (torchvision.ops.remove_small_boxes; like torch, `minSize` is rounded to float32
 * before the comparison). One read-back (a mask of N bytes).
 *
 * @param boxes `[N, 4]` float32, xyxy absolute pixels; not disposed
 * @param minSize smallest allowed side, in pixels
 * @returns `[K]` int32 indices into `boxes`, ascending; caller owns
 */
export async function removeSmallBoxes(boxes: Boxes, minSize: number): Promise<tf.Tensor1D> {
  checkBoxes(boxes);
  ensure(
    typeof minSize === 'number' && !Number.isNaN(minSize),
    'INVALID_ARGUMENT',
    () => `minSize must be a number, got ${String(minSize)}`,
  );
  if (boxes.shape[0] === 0) return tf.tensor1d([], 'int32');
  const large = tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.unstack(tf.cast(boxes, 'float32'), 1);
    const limit = tf.scalar(minSize, 'float32');
    return tf.logicalAnd(tf.greaterEqual(tf.sub(x2!, x1!), limit), tf.greaterEqual(tf.sub(y2!, y1!), limit));
  });
  let flags: Uint8Array;
  try {
    flags = (await large.data()) as Uint8Array;
  } finally {
    large.dispose();
  }
  const keep: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) keep.push(i);
  return tf.tensor1d(keep, 'int32');
}
