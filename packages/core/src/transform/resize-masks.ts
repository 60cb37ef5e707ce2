import * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';
import type { ImageSize } from '../types/images';

/**
 * Nearest-neighbour resize of per-instance masks as torch's `interpolate(mode='nearest')`
 * does for target masks in GeneralizedRCNNTransform: source index
 * `min(floor(dst * float32(in / out)), in - 1)` in float32 (legacy 'nearest', not
 * half-pixel). The indices are computed here and applied with gathers, so every backend
 * picks the same pixels as torch.
 *
 * @param masks `[N, H, W]` (any dtype, e.g. 0/1 float32); not disposed
 * @param toSize `[height, width]` of the output
 * @returns `[N, height, width]` same dtype; caller owns
 */
export function resizeMasksNearest(masks: tf.Tensor3D, toSize: ImageSize): tf.Tensor3D {
  ensure(
    masks.rank === 3,
    'INVALID_SHAPE',
    () => `masks must have shape [N, H, W], got [${masks.shape.join(', ')}]`,
  );
  const [height, width] = toSize;
  ensure(
    Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0,
    'INVALID_ARGUMENT',
    () => `toSize must be two positive integers [height, width], got [${toSize.join(', ')}]`,
  );
  const [count, inHeight, inWidth] = masks.shape;
  if (count === 0) return tf.zeros([0, height, width], masks.dtype);
  return tf.tidy(() => {
    const rows = tf.tensor1d(nearestSourceIndices(inHeight, height), 'int32');
    const columns = tf.tensor1d(nearestSourceIndices(inWidth, width), 'int32');
    return tf.gather(tf.gather(masks, rows, 1), columns, 2);
  });
}

/** torch's `nearest_idx` (UpSample.h): identity, halving, or float32 floor(dst * in / out). */
function nearestSourceIndices(inputSize: number, outputSize: number): Int32Array {
  const indices = new Int32Array(outputSize);
  const scale = Math.fround(inputSize / outputSize);
  for (let dst = 0; dst < outputSize; dst++) {
    if (outputSize === inputSize) indices[dst] = dst;
    else if (outputSize === 2 * inputSize) indices[dst] = dst >> 1;
    else indices[dst] = Math.min(Math.floor(Math.fround(dst * scale)), inputSize - 1);
  }
  return indices;
}
