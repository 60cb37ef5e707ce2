import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { roiAlign } from './roi-align';
import {
  checkBoxes,
  checkFeatures,
  checkSpatialScale,
  type OutputSize,
  resolveOutputSize,
} from './roi-align-options';
import { roundHalfAwayFromZero } from './round-half-away';

/** Options of {@link roiWarp}. */
export interface RoiWarpOptions {
  /** Pooled size `[outH, outW]` (or one number for both). */
  outputSize: OutputSize;
  /** Feature pixels per image pixel (1 / stride). Default 1. */
  spatialScale?: number;
  /** The warp produces `poolSize` times the output size, then max-pools `poolSize x poolSize`. Default 2; 1 = warp only. */
  poolSize?: number;
}

/**
 * RoIWarp (MNC, Dai et al. 2016): crop quantized like RoIPool, then a bilinear warp to a
 * fixed size, then a max pool. Here: box corners rounded to feature cells (half away from
 * zero), the crop covering cells `x1..x2` and `y1..y2` inclusive, warped by bilinear
 * sampling at the centres of a `(poolSize*outH) x (poolSize*outW)` grid (RoIAlign with
 * `aligned`, one sample per bin), then `poolSize x poolSize` max pooling. Composed of ops,
 * so differentiable with respect to `features`. torchvision has no RoIWarp; the fixture is
 * this definition in torch (roi_align on the quantized boxes, then max_pool2d).
 *
 * @param features `[B, H, W, C]` float32 NHWC. Not disposed.
 * @param boxes `[R, 4]` float32 xyxy image pixels. Not disposed.
 * @param batchIndices `[R]` int32. Not disposed.
 * @returns `[R, outH, outW, C]` float32; caller owns.
 */
export function roiWarp(
  features: tf.Tensor4D,
  boxes: tf.Tensor2D,
  batchIndices: tf.Tensor1D,
  options: RoiWarpOptions,
): tf.Tensor4D {
  checkFeatures(features);
  checkBoxes(boxes, batchIndices);
  const [outH, outW] = resolveOutputSize(options.outputSize);
  const scale = checkSpatialScale(options.spatialScale ?? 1);
  const poolSize = options.poolSize ?? 2;
  ensure(
    Number.isInteger(poolSize) && poolSize >= 1,
    'INVALID_ARGUMENT',
    () => `poolSize must be an integer >= 1, got ${poolSize}`,
  );
  return tf.tidy(() => {
    const cells = roundHalfAwayFromZero(tf.mul(boxes, scale));
    const [x1, y1, x2, y2] = tf.unstack(cells, 1);
    const cellBoxes = tf.stack([x1!, y1!, tf.add(x2!, 1), tf.add(y2!, 1)], 1) as tf.Tensor2D;
    const warped = roiAlign(features, cellBoxes, batchIndices, {
      outputSize: [outH * poolSize, outW * poolSize],
      spatialScale: 1,
      samplingRatio: 1,
      aligned: true,
    });
    return poolSize === 1 ? warped : tf.maxPool(warped, poolSize, poolSize, 'valid');
  });
}
