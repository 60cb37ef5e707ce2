import type * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';

/**
 * Boxes inside the library: `[N, 4]` float32, `x1, y1, x2, y2` in absolute pixels of
 * the (batched) image. The brand makes the format visible in types; only
 * {@link asBoxes} produces it. Convert at the edges only (COCO xywh, tfjs yxyx).
 */
export type Boxes = tf.Tensor2D & { readonly __format: 'xyxy' };

/**
 * Brands a `[N, 4]` tensor as {@link Boxes} after checking its rank and last dim.
 * Returns the same tensor object (no copy); ownership is unchanged.
 */
export function asBoxes(tensor: tf.Tensor): Boxes {
  ensure(
    tensor.rank === 2 && tensor.shape[1] === 4,
    'INVALID_SHAPE',
    () => `boxes must have shape [N, 4] (x1, y1, x2, y2), got [${tensor.shape.join(', ')}]`,
  );
  return tensor as Boxes;
}

/** A box as plain numbers: `[x1, y1, x2, y2]` in absolute pixels. */
export type BoxArray = [x1: number, y1: number, x2: number, y2: number];
