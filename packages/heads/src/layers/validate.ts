import { ensure } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Checks pooled features are `[R, height, width, channels]` float32 NHWC (any R, even 0).
 * @throws RcnnError `INVALID_SHAPE` naming `owner` and the expected shape
 */
export function ensurePooledFeatures(
  owner: string,
  features: tf.Tensor,
  [height, width, channels]: readonly [number, number, number],
): asserts features is tf.Tensor4D {
  ensure(
    features.rank === 4 &&
      features.shape[1] === height &&
      features.shape[2] === width &&
      features.shape[3] === channels &&
      features.dtype === 'float32',
    'INVALID_SHAPE',
    () =>
      `${owner} expects pooled features float32 [R, ${height}, ${width}, ${channels}] (NHWC), got ${features.dtype} [${features.shape.join(', ')}]`,
  );
}

/** Checks an option is a positive integer. @throws RcnnError `INVALID_ARGUMENT` */
export function ensurePositiveIntegers(
  owner: string,
  values: Record<string, number | readonly number[]>,
): void {
  for (const [name, value] of Object.entries(values)) {
    const list = typeof value === 'number' ? [value] : value;
    ensure(
      list.length > 0 && list.every((v) => Number.isInteger(v) && v > 0),
      'INVALID_ARGUMENT',
      () => `${owner} ${name} must be positive integers, got ${JSON.stringify(value)}`,
    );
  }
}
