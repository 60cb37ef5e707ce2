import { type Boxes, ensure, type FeatureMaps, type RoiPooler } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Pools `boxes` (one tensor per image) with `pooler` and checks the result is
 * `[sum N_i, size, size, channels]`. No boxes at all gives an empty tensor without calling the
 * pooler. Caller owns the result.
 */
export function poolPerImage(
  owner: string,
  pooler: RoiPooler,
  features: FeatureMaps,
  boxes: readonly Boxes[],
  [size, channels]: readonly [number, number],
): tf.Tensor4D {
  const total = boxes.reduce((sum, b) => sum + b.shape[0], 0);
  if (total === 0) return tf.zeros([0, size, size, channels]);
  const pooled = pooler.pool(features, boxes);
  ensure(
    pooled.rank === 4 &&
      pooled.shape[0] === total &&
      pooled.shape[1] === size &&
      pooled.shape[2] === size &&
      pooled.shape[3] === channels,
    'INVALID_SHAPE',
    () =>
      `${owner}: the pooler returned [${pooled.shape.join(', ')}], expected [${total}, ${size}, ${size}, ${channels}]`,
  );
  return pooled;
}

/** Splits the first axis of `tensor` into one piece per image, `counts[i]` rows each. Caller owns the pieces. */
export function splitPerImage<T extends tf.Tensor>(tensor: T, counts: readonly number[]): T[] {
  if (counts.length === 1) return [tf.clone(tensor)];
  return tf.split(tensor, [...counts], 0) as T[];
}
