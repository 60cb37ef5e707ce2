import { type Boxes, ensure, type ImageSize } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Checks the inputs shared by both mask pasting paths (RcnnError on bad input). */
export function checkPasteInputs(
  masks: tf.Tensor3D,
  boxes: Boxes,
  imageSize: ImageSize,
  padding: number,
): void {
  ensure(
    masks.rank === 3 && masks.shape[1] === masks.shape[2] && masks.shape[1] > 0,
    'INVALID_SHAPE',
    () =>
      `masks must have shape [N, M, M] (square, as torchvision's scale assumes), got [${masks.shape.join(', ')}]`,
  );
  ensure(
    boxes.rank === 2 && boxes.shape[1] === 4 && boxes.shape[0] === masks.shape[0],
    'INVALID_SHAPE',
    () => `boxes must have shape [N, 4] with N = ${masks.shape[0]} masks, got [${boxes.shape.join(', ')}]`,
  );
  const [height, width] = imageSize;
  ensure(
    Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0,
    'INVALID_ARGUMENT',
    () => `imageSize must be [height, width] with positive integers, got [${imageSize.join(', ')}]`,
  );
  ensure(
    Number.isInteger(padding) && padding >= 0,
    'INVALID_ARGUMENT',
    () => `padding must be a non-negative integer, got ${padding}`,
  );
}

/** torchvision expand_masks: `[N, M, M]` zero-padded by `padding` on each side, as float32. Call inside tidy. */
export function padMasks(masks: tf.Tensor3D, padding: number): tf.Tensor3D {
  return tf.pad(tf.cast(masks, 'float32'), [
    [0, 0],
    [padding, padding],
    [padding, padding],
  ]) as tf.Tensor3D;
}

/**
 * torchvision expand_boxes with scale `(M + 2p) / M`, then `.to(torch.int64)`: each box
 * scaled about its centre in float32 (torch rounds the Python float scale to float32),
 * truncated toward zero (written as sign * floor(|x|) so every backend agrees).
 * Call inside tidy.
 *
 * @returns `[N, 4]` float32 holding integers (x1, y1, x2, y2)
 */
export function expandBoxesToIntegers(boxes: Boxes, side: number, padding: number): tf.Tensor2D {
  const scale = Math.fround((side + 2 * padding) / side);
  const [x1, y1, x2, y2] = tf.unstack(tf.cast(boxes, 'float32'), 1) as tf.Tensor1D[];
  const halfWidth = tf.mul(tf.mul(tf.sub(x2!, x1!), 0.5), scale);
  const halfHeight = tf.mul(tf.mul(tf.sub(y2!, y1!), 0.5), scale);
  const centreX = tf.mul(tf.add(x2!, x1!), 0.5);
  const centreY = tf.mul(tf.add(y2!, y1!), 0.5);
  const expanded = tf.stack(
    [
      tf.sub(centreX, halfWidth),
      tf.sub(centreY, halfHeight),
      tf.add(centreX, halfWidth),
      tf.add(centreY, halfHeight),
    ],
    1,
  );
  return tf.mul(tf.sign(expanded), tf.floor(tf.abs(expanded))) as tf.Tensor2D;
}
