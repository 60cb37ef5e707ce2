import { type CompressedRle, ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { encodeColumnMajorMask } from './coco-rle';
import { packedLength, packMasksColumnMajor, unpackMask } from './mask-bits';

/**
 * COCO compressed RLE of each binary mask (pycocotools `mask.encode` output, through
 * @rcnn/coco-eval's encoder). The masks are transposed to column-major order and packed
 * 8 pixels per value on the device, then read back once.
 *
 * @param binaryMasks `[N, H, W]` any dtype, non-zero is foreground (e.g. from {@link thresholdMasks}); not disposed
 * @returns one `{ size: [H, W], counts }` per mask
 */
export async function masksToRle(binaryMasks: tf.Tensor3D): Promise<CompressedRle[]> {
  ensure(
    binaryMasks.rank === 3,
    'INVALID_SHAPE',
    () => `binaryMasks must have shape [N, H, W], got [${binaryMasks.shape.join(', ')}]`,
  );
  const [count, height, width] = binaryMasks.shape;
  ensure(
    height > 0 && width > 0,
    'INVALID_SHAPE',
    () => `masks must be at least 1x1, got ${height}x${width}`,
  );
  if (count === 0) return [];
  const packed = tf.tidy(() => packMasksColumnMajor(binaryMasks));
  let values: Float32Array;
  try {
    values = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
  const stride = packedLength(height, width);
  const mask = new Uint8Array(height * width);
  return Array.from({ length: count }, (_, index) =>
    encodeColumnMajorMask(unpackMask(values, index * stride, mask), height, width),
  );
}
