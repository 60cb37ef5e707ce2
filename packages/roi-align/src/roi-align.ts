import * as tf from '@tensorflow/tfjs-core';
import { roiAlignMultiLevel } from './roi-align-multi-level';
import { checkBoxes, checkFeatures, checkSpatialScale, type RoiAlignOptions } from './roi-align-options';

/**
 * RoIAlign (Mask R-CNN): pools a fixed `outH x outW` grid from each box by averaging (or
 * max-ing) bilinearly interpolated sampling points, with no quantization. Runs the
 * registered kernel of the active backend (cpu, wasm, webgpu), else the composed reference.
 *
 * Box format: torchvision takes `rois [K, 5]` = `(batchIndex, x1, y1, x2, y2)`; here the
 * same numbers come as `boxes = rois[:, 1:]` and `batchIndices = rois[:, 0]` (int32).
 *
 * @param features `[B, H, W, C]` float32 NHWC. Not disposed.
 * @param boxes `[R, 4]` float32 xyxy in image pixels (`spatialScale` maps them to the map). Not disposed.
 * @param batchIndices `[R]` int32 image of each box; out of range pools zeros. Not disposed.
 * @returns `[R, outH, outW, C]` float32; caller owns. Differentiable with respect to `features`.
 *   Matches torchvision `torchvision/ops/roi_align.py::roi_align` (aligned true/false, fixed or
 *   adaptive sampling ratio) to ~1e-6.
 */
export function roiAlign(
  features: tf.Tensor4D,
  boxes: tf.Tensor2D,
  batchIndices: tf.Tensor1D,
  options: RoiAlignOptions,
): tf.Tensor4D {
  checkFeatures(features);
  checkBoxes(boxes, batchIndices);
  const spatialScale = checkSpatialScale(options.spatialScale ?? 1);
  return tf.tidy(() => {
    const levels = tf.zeros([boxes.shape[0]], 'int32') as tf.Tensor1D;
    return roiAlignMultiLevel([features], [spatialScale], boxes, batchIndices, levels, options);
  });
}
