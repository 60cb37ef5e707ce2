import { isRecordingGradients, RcnnError } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Source index of each output row/column under torch's legacy `mode='nearest'`
 * (aten `nearest_idx`): identity for equal sizes, `dst >> 1` for exactly 2x, otherwise
 * `min(floor(dst * scale), in - 1)` with `scale = in / out` and the product in float32.
 */
export function nearestSourceIndices(inSize: number, outSize: number): Int32Array {
  const indices = new Int32Array(outSize);
  const scale = Math.fround(inSize / outSize);
  for (let dst = 0; dst < outSize; dst++) {
    if (outSize === inSize) indices[dst] = dst;
    else if (outSize === 2 * inSize) indices[dst] = dst >> 1;
    else indices[dst] = Math.min(Math.floor(Math.fround(dst * scale)), inSize - 1);
  }
  return indices;
}

/**
 * Nearest-neighbour resize to an explicit size, matching torch
 * `F.interpolate(x, size=(outHeight, outWidth), mode='nearest')` as torchvision's
 * `FeaturePyramidNetwork.forward` calls it (top-down path to the lateral's size).
 * The 2x case (every padded FPN level) uses tfjs's resize kernel, which indexes
 * `floor(dst / 2)` exactly; other sizes gather rows then columns with torch's indices.
 * @param x `[B, H, W, C]`; not disposed.
 * @returns `[B, outHeight, outWidth, C]`; caller owns.
 */
export function upsampleNearest(
  x: tf.Tensor4D,
  [outHeight, outWidth]: readonly [number, number],
): tf.Tensor4D {
  const [, inHeight, inWidth] = x.shape;
  if (!(Number.isInteger(outHeight) && Number.isInteger(outWidth) && outHeight > 0 && outWidth > 0)) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `output size must be positive integers, got [${outHeight}, ${outWidth}]`,
    );
  }
  return tf.tidy(() => {
    if (outHeight === inHeight && outWidth === inWidth) return tf.clone(x);
    const exact =
      (outHeight === inHeight || outHeight === 2 * inHeight) &&
      (outWidth === inWidth || outWidth === 2 * inWidth);
    if (exact && isRecordingGradients()) {
      // tfjs 4.22's ResizeNearestNeighborGrad is wrong for alignCorners = halfPixelCenters = false
      // (checked against gather's gradient); repeating rows and columns by tiling is exact both ways.
      const [batch, , , channels] = x.shape;
      const columns = tf.tile(tf.reshape(x, [batch * inHeight, inWidth, 1, channels]), [
        1,
        1,
        outWidth / inWidth,
        1,
      ]);
      const rows = tf.tile(tf.reshape(columns, [batch, inHeight, 1, outWidth * channels]), [
        1,
        1,
        outHeight / inHeight,
        1,
      ]);
      return tf.reshape(rows, [batch, outHeight, outWidth, channels]) as tf.Tensor4D;
    }
    if (exact) return tf.image.resizeNearestNeighbor(x, [outHeight, outWidth], false, false);
    const rows = tf.gather(x, tf.tensor1d(nearestSourceIndices(inHeight, outHeight), 'int32'), 1);
    return tf.gather(rows, tf.tensor1d(nearestSourceIndices(inWidth, outWidth), 'int32'), 2);
  });
}
