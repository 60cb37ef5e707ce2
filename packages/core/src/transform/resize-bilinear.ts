import * as tf from '@tensorflow/tfjs-core';
import type { ImageSize } from '../types/images';

/**
 * Bilinear resize with align_corners=False, computed as torch 1.13's CPU
 * `upsample_bilinear2d` computes it for float32: the same source indices and float32
 * weights (built here on the host; the scale is float32(in / out)), then per pixel
 * `(topLeft * wLeft + topRight * wRight) * wTop + (bottomLeft * wLeft + bottomRight * wRight) * wBottom`,
 * each op rounded to float32. Measured within 5e-7 of torch (bit-exact weights; the
 * last ulp differs where torch's compiled loop orders or fuses the sums differently).
 *
 * tf.image.resizeBilinear(halfPixelCenters) samples at exact positions instead of torch's
 * float32-scaled ones, so where the ratio is not exact in float32 it differs by up to
 * ~1e-5 (cpu) / ~2e-5 (wasm, XNNPACK) on normalized images.
 *
 * @param image `[H, W, C]` float32; not disposed
 * @param size `[height, width]` of the output
 * @returns `[height, width, C]` float32; caller owns
 */
export function resizeBilinearLikeTorch(image: tf.Tensor3D, size: ImageSize): tf.Tensor3D {
  const [inHeight, inWidth] = image.shape;
  const [height, width] = size;
  return tf.tidy(() => {
    const rows = linearTaps(inHeight, height);
    const columns = linearTaps(inWidth, width);
    const horizontal = (source: tf.Tensor3D) =>
      tf.add(
        tf.mul(
          tf.gather(source, tf.tensor1d(columns.first, 'int32'), 1),
          tf.tensor3d(columns.firstWeight, [1, width, 1]),
        ),
        tf.mul(
          tf.gather(source, tf.tensor1d(columns.second, 'int32'), 1),
          tf.tensor3d(columns.secondWeight, [1, width, 1]),
        ),
      );
    const top = horizontal(tf.gather(image, tf.tensor1d(rows.first, 'int32'), 0));
    const bottom = horizontal(tf.gather(image, tf.tensor1d(rows.second, 'int32'), 0));
    return tf.add(
      tf.mul(top, tf.tensor3d(rows.firstWeight, [height, 1, 1])),
      tf.mul(bottom, tf.tensor3d(rows.secondWeight, [height, 1, 1])),
    ) as tf.Tensor3D;
  });
}

interface LinearTaps {
  first: Int32Array;
  second: Int32Array;
  firstWeight: Float32Array;
  secondWeight: Float32Array;
}

/** torch's compute_source_index_and_lambda along one axis (UpSample.h), float32 throughout. */
function linearTaps(inputSize: number, outputSize: number): LinearTaps {
  const taps: LinearTaps = {
    first: new Int32Array(outputSize),
    second: new Int32Array(outputSize),
    firstWeight: new Float32Array(outputSize),
    secondWeight: new Float32Array(outputSize),
  };
  const scale = Math.fround(inputSize / outputSize);
  for (let i = 0; i < outputSize; i++) {
    if (inputSize === outputSize) {
      taps.first[i] = i;
      taps.second[i] = i;
      taps.firstWeight[i] = 1;
      continue;
    }
    // The source position stays in double on CPU (float32 scale, double arithmetic); only the
    // weight is rounded to float32. Rounding the position to float32 first (as the type of
    // area_pixel_compute_source_index suggests) disagrees with torch's output.
    const source = Math.max(scale * (i + 0.5) - 0.5, 0);
    const index = Math.min(Math.trunc(source), inputSize - 1);
    const weight = Math.fround(source - index);
    taps.first[i] = index;
    taps.second[i] = index < inputSize - 1 ? index + 1 : index;
    taps.secondWeight[i] = weight;
    taps.firstWeight[i] = 1 - weight; // Float32Array rounds like torch's float `1 - lambda1`
  }
  return taps;
}
