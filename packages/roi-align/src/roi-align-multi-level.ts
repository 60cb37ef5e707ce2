import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from './kernel-availability';
import { RoiAlign } from './kernel-names';
import { checkBoxes, checkFeatures, type RoiAlignOptions, roiAlignAttrs } from './roi-align-options';
import { roiAlignReference } from './roi-align-reference';

/**
 * RoIAlign where each box reads its own feature level, in one kernel call (the primitive
 * under {@link roiAlign} and `MultiScaleRoiAlign`): no per-level gather of boxes, no
 * read-back. Without a registered kernel for the active backend it runs the composed
 * reference once per level and keeps each box's own level.
 *
 * @param features one `[B, H_l, W_l, C]` float32 NHWC tensor per level (same B and C). Not disposed.
 * @param spatialScales feature pixels per image pixel of each level (1 / stride).
 * @param boxes `[R, 4]` float32 xyxy image pixels. Not disposed.
 * @param batchIndices `[R]` int32 image of each box. Not disposed.
 * @param levels `[R]` int32 level of each box (index into `features`); out of range pools zeros. Not disposed.
 * @returns `[R, outH, outW, C]` float32 in box order; caller owns. Differentiable with
 *   respect to every level (no gradient for boxes, as torchvision).
 */
export function roiAlignMultiLevel(
  features: readonly tf.Tensor4D[],
  spatialScales: readonly number[],
  boxes: tf.Tensor2D,
  batchIndices: tf.Tensor1D,
  levels: tf.Tensor1D,
  options: Omit<RoiAlignOptions, 'spatialScale'>,
): tf.Tensor4D {
  ensure(
    features.length > 0,
    'INVALID_ARGUMENT',
    () => 'roiAlignMultiLevel needs at least one feature level',
  );
  ensure(
    spatialScales.length === features.length,
    'INVALID_ARGUMENT',
    () => `got ${features.length} feature levels but ${spatialScales.length} spatial scales`,
  );
  features.forEach((level, k) => {
    checkFeatures(level, `features[${k}]`);
    ensure(
      level.shape[0] === features[0]!.shape[0] && level.shape[3] === features[0]!.shape[3],
      'INVALID_SHAPE',
      () =>
        `every level must share batch and channels: [${features.map((f) => `[${f.shape.join(', ')}]`).join(', ')}]`,
    );
  });
  checkBoxes(boxes, batchIndices);
  ensure(
    levels.rank === 1 && levels.shape[0] === boxes.shape[0] && levels.dtype === 'int32',
    'INVALID_SHAPE',
    () =>
      `levels must be [R] int32 with R = ${boxes.shape[0]}, got ${levels.dtype} [${levels.shape.join(', ')}]`,
  );
  const attrs = roiAlignAttrs(options, [...spatialScales]);
  if (!hasKernel(RoiAlign))
    return composedMultiLevel(features, spatialScales, boxes, batchIndices, levels, options);
  const inputs = [boxes, batchIndices, levels, ...features];
  return tf
    .engine()
    .runKernel(
      RoiAlign,
      inputs as unknown as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor4D;
}

function composedMultiLevel(
  features: readonly tf.Tensor4D[],
  spatialScales: readonly number[],
  boxes: tf.Tensor2D,
  batchIndices: tf.Tensor1D,
  levels: tf.Tensor1D,
  options: Omit<RoiAlignOptions, 'spatialScale'>,
): tf.Tensor4D {
  return tf.tidy(() => {
    let result: tf.Tensor | undefined;
    features.forEach((level, k) => {
      const pooled = roiAlignReference(level, boxes, batchIndices, {
        ...options,
        spatialScale: spatialScales[k]!,
      });
      const mine = tf.reshape(tf.equal(levels, k), [-1, 1, 1, 1]);
      const kept = tf.where(mine, pooled, tf.zerosLike(pooled));
      result = result ? tf.add(result, kept) : kept;
    });
    return result as tf.Tensor4D;
  });
}
