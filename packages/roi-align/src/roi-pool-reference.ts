import * as tf from '@tensorflow/tfjs-core';
import { gatherRows } from './gather-rows';
import { checkBoxes, checkFeatures, checkSpatialScale, resolveOutputSize } from './roi-align-options';
import type { RoiPoolOptions } from './roi-pool';
import { roundHalfAwayFromZero } from './round-half-away';

/**
 * RoIPool from composed, differentiable tfjs ops (reference and fallback): per box, masks
 * of each bin's rows and columns, then a masked max over columns and over rows. Memory
 * grows as `R * outW * H * W * C`, so it suits small maps; the kernels have no such cost.
 *
 * @param features `[B, H, W, C]` float32 NHWC. Not disposed.
 * @param boxes `[R, 4]` float32 xyxy image pixels. Not disposed.
 * @param batchIndices `[R]` int32. Not disposed.
 * @returns `[R, outH, outW, C]` float32; caller owns. Matches torchvision.ops.roi_pool.
 */
export function roiPoolReference(
  features: tf.Tensor4D,
  boxes: tf.Tensor2D,
  batchIndices: tf.Tensor1D,
  options: RoiPoolOptions,
): tf.Tensor4D {
  checkFeatures(features);
  checkBoxes(boxes, batchIndices);
  const [outH, outW] = resolveOutputSize(options.outputSize);
  const scale = checkSpatialScale(options.spatialScale ?? 1);
  return tf.tidy(() => {
    const [batch, height, width, channels] = features.shape;
    const n = boxes.shape[0];
    if (n === 0) return tf.reshape(tf.slice(tf.reshape(features, [-1]), 0, 0), [0, outH, outW, channels]);
    const table = tf.reshape(features, [batch, -1]) as tf.Tensor2D;
    const validBatch = tf.logicalAnd(tf.greaterEqual(batchIndices, 0), tf.less(batchIndices, batch));
    const rows = gatherRows(table, tf.clipByValue(batchIndices, 0, batch - 1) as tf.Tensor1D);
    const perBox = tf.reshape(rows, [n, height, width, channels]);
    const corners = roundHalfAwayFromZero(tf.mul(boxes, scale));
    const [x1, y1, x2, y2] = tf.unstack(corners, 1) as tf.Tensor1D[];
    const colMask = binMask(x1!, x2!, outW, width);
    const rowMask = binMask(y1!, y2!, outH, height);
    // Cells outside a bin get -inf added (a broadcasting add, whose gradient tfjs has at rank 5).
    const penalty = (mask: tf.Tensor, shape: number[]) =>
      tf.reshape(tf.where(mask, tf.zeros(mask.shape), tf.fill(mask.shape, Number.NEGATIVE_INFINITY)), shape);
    // Max over each bin's columns: [n, outW, H, W, C] -> [n, outW, H, C].
    const byCols = penalty(colMask, [n, outW, 1, width, 1]);
    const cols = tf.max(tf.add(tf.reshape(perBox, [n, 1, height, width, channels]), byCols), 3);
    // Max over each bin's rows: [n, outH, outW, H, C] -> [n, outH, outW, C].
    const byRows = penalty(rowMask, [n, outH, 1, height, 1]);
    const pooled = tf.max(tf.add(tf.reshape(cols, [n, 1, outW, height, channels]), byRows), 3);
    const empty = tf.logicalOr(
      tf.reshape(tf.logicalNot(tf.any(rowMask, 2)), [n, outH, 1, 1]),
      tf.reshape(tf.logicalNot(tf.any(colMask, 2)), [n, 1, outW, 1]),
    );
    const keep = tf.logicalAnd(tf.logicalNot(empty), tf.reshape(validBatch, [n, 1, 1, 1]));
    return tf.where(keep, pooled, 0) as tf.Tensor4D;
  });
}

/** `[n, bins, size]` bool: whether cell `s` lies in bin `p` of the box spanning cells `start..end`. */
function binMask(start: tf.Tensor1D, end: tf.Tensor1D, bins: number, size: number): tf.Tensor3D {
  const extent = tf.maximum(tf.add(tf.sub(end, start), 1), 1);
  const binSize = tf.reshape(tf.div(extent, bins), [-1, 1]);
  const p = tf.reshape(tf.range(0, bins, 1, 'float32'), [1, bins]);
  const origin = tf.reshape(start, [-1, 1]);
  const from = tf.clipByValue(tf.add(tf.floor(tf.mul(p, binSize)), origin), 0, size);
  const to = tf.clipByValue(tf.add(tf.ceil(tf.mul(tf.add(p, 1), binSize)), origin), 0, size);
  const cell = tf.reshape(tf.range(0, size, 1, 'float32'), [1, 1, size]);
  const inBin = tf.logicalAnd(
    tf.greaterEqual(cell, tf.expandDims(from, 2)),
    tf.less(cell, tf.expandDims(to, 2)),
  );
  return inBin as tf.Tensor3D;
}
