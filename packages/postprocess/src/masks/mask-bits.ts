import * as tf from '@tensorflow/tfjs-core';

/** Mask pixels packed per float: 8 keeps every packed value exact even in float16 GPU textures. */
export const PIXELS_PER_VALUE = 8;

/**
 * Packs binary masks for a small read-back: each mask is transposed to COCO's column-major
 * order, flattened, padded to a multiple of 8 and every 8 pixels summed as bits
 * (1, 2, ..., 128) into one float32 (exact integers 0..255). Call inside tidy.
 *
 * @param masks `[N, H, W]` any dtype, non-zero is foreground
 * @returns `[N * ceil(H * W / 8)]` float32
 */
export function packMasksColumnMajor(masks: tf.Tensor3D): tf.Tensor1D {
  const [count, height, width] = masks.shape;
  const pixels = height * width;
  const groups = Math.ceil(pixels / PIXELS_PER_VALUE);
  // 0/1 float32 through `where`, not a cast of the bool: tfjs-backend-webgpu 4.22 transposes a
  // bool->float32 cast of this size wrongly (int bits read as floats), which then corrupts the read-back.
  const foreground = tf.where(tf.notEqual(masks, 0), tf.ones(masks.shape), tf.zeros(masks.shape));
  const columnMajor = tf.reshape(tf.transpose(foreground, [0, 2, 1]), [count, pixels]);
  const padded = tf.pad(columnMajor, [
    [0, 0],
    [0, groups * PIXELS_PER_VALUE - pixels],
  ]);
  const bits = tf.tensor1d(
    Array.from({ length: PIXELS_PER_VALUE }, (_, bit) => 2 ** bit),
    'float32',
  );
  return tf.reshape(tf.sum(tf.mul(tf.reshape(padded, [count, groups, PIXELS_PER_VALUE]), bits), 2), [-1]);
}

/** Number of packed values per mask of `height x width` pixels. */
export function packedLength(height: number, width: number): number {
  return Math.ceil((height * width) / PIXELS_PER_VALUE);
}

/**
 * Unpacks one mask written by {@link packMasksColumnMajor} into `out` (`H * W` bytes,
 * column-major, 0/1). `packed` starts at the mask's first value.
 */
export function unpackMask(packed: ArrayLike<number>, offset: number, out: Uint8Array): Uint8Array {
  for (let pixel = 0; pixel < out.length; pixel++) {
    const value = packed[offset + Math.floor(pixel / PIXELS_PER_VALUE)]!;
    out[pixel] = (value >> (pixel % PIXELS_PER_VALUE)) & 1;
  }
  return out;
}
