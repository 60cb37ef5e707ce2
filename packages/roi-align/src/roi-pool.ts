import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from './kernel-availability';
import { RoiPool, type RoiPoolAttrs } from './kernel-names';
import {
  checkBoxes,
  checkFeatures,
  checkSpatialScale,
  type OutputSize,
  resolveOutputSize,
} from './roi-align-options';
import { roiPoolReference } from './roi-pool-reference';

/** Options of {@link roiPool} (torchvision `roi_pool`'s arguments). */
export interface RoiPoolOptions {
  /** Pooled size `[outH, outW]` (or one number for both). */
  outputSize: OutputSize;
  /** Feature pixels per image pixel (1 / stride). Default 1. */
  spatialScale?: number;
}

/**
 * RoIPool (Fast R-CNN): rounds each box to feature cells, splits it into `outH x outW` bins
 * quantized again with floor/ceil, and max-pools each bin (an empty bin pools 0). Kept to
 * compare with {@link roiAlign}: its two quantizations are what RoIAlign removes.
 *
 * @param features `[B, H, W, C]` float32 NHWC. Not disposed.
 * @param boxes `[R, 4]` float32 xyxy image pixels. Not disposed.
 * @param batchIndices `[R]` int32 image of each box. Not disposed.
 * @returns `[R, outH, outW, C]` float32; caller owns. Differentiable with respect to `features`.
 *   Matches torchvision `torchvision/ops/roi_pool.py::roi_pool` exactly (a max picks a feature value).
 */
export function roiPool(
  features: tf.Tensor4D,
  boxes: tf.Tensor2D,
  batchIndices: tf.Tensor1D,
  options: RoiPoolOptions,
): tf.Tensor4D {
  checkFeatures(features);
  checkBoxes(boxes, batchIndices);
  const [outputHeight, outputWidth] = resolveOutputSize(options.outputSize);
  const attrs: RoiPoolAttrs = {
    outputHeight,
    outputWidth,
    spatialScale: checkSpatialScale(options.spatialScale ?? 1),
  };
  if (!hasKernel(RoiPool)) return roiPoolReference(features, boxes, batchIndices, options);
  return tf
    .engine()
    .runKernel(
      RoiPool,
      { features, boxes, batchIndices },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor4D;
}
