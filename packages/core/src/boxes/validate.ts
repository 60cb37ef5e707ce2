import type * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';
import { asBoxes, type Boxes } from '../types/boxes';

/** Checks `boxes` is `[N, 4]` (throws RcnnError INVALID_SHAPE otherwise) and returns it branded. */
export function checkBoxes(boxes: tf.Tensor, name = 'boxes'): Boxes {
  ensure(
    boxes.rank === 2 && boxes.shape[1] === 4,
    'INVALID_SHAPE',
    () => `${name} must have shape [N, 4] (x1, y1, x2, y2), got [${boxes.shape.join(', ')}]`,
  );
  return asBoxes(boxes);
}

/** Checks `values` is `[n]` (one entry per box). */
export function checkPerBox(values: tf.Tensor, n: number, name: string): void {
  ensure(
    values.rank === 1 && values.shape[0] === n,
    'INVALID_SHAPE',
    () => `${name} must have shape [${n}] (one per box), got [${values.shape.join(', ')}]`,
  );
}

/** Checks an IoU threshold is a number (not NaN). Values outside [0, 1] are allowed, as in torchvision. */
export function checkIouThreshold(iouThreshold: number): void {
  ensure(
    typeof iouThreshold === 'number' && !Number.isNaN(iouThreshold),
    'INVALID_ARGUMENT',
    () => `iouThreshold must be a number, got ${String(iouThreshold)}`,
  );
}
