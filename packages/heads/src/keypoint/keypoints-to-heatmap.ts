import { type Boxes, ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Keypoint training targets; caller owns both. */
export interface KeypointHeatmapTargets {
  /** `[P, K]` int32 flat position `y * size + x` of each keypoint in its RoI's heatmap (0 where invalid). */
  readonly heatmaps: tf.Tensor2D;
  /** `[P, K]` int32 1 where the keypoint is labelled (visibility > 0) and falls inside the RoI, else 0. */
  readonly valid: tf.Tensor2D;
}

/**
 * torchvision `models/detection/roi_heads.py::keypoints_to_heatmap`, in tensor ops (no
 * read-back): maps each keypoint into its RoI's `size x size` grid with
 * `floor((x - x1) * size / (x2 - x1))`; a keypoint exactly on the right/bottom edge goes to
 * the last cell. Same float32 operation order as torch, so cells agree exactly.
 * @param keypoints `[P, K, 3]` float32 (x, y, visibility) in image pixels; not disposed
 * @param rois `[P, 4]` xyxy boxes in the same pixels; not disposed
 * @param size heatmap side (56)
 */
export function keypointsToHeatmap(keypoints: tf.Tensor3D, rois: Boxes, size = 56): KeypointHeatmapTargets {
  ensure(
    keypoints.rank === 3 && keypoints.shape[2] === 3 && keypoints.shape[0] === rois.shape[0],
    'INVALID_SHAPE',
    () =>
      `keypointsToHeatmap expects keypoints [P, K, 3] and rois [P, 4], got [${keypoints.shape.join(', ')}] and [${rois.shape.join(', ')}]`,
  );
  ensure(
    Number.isInteger(size) && size > 0,
    'INVALID_ARGUMENT',
    () => `heatmap size must be a positive integer, got ${size}`,
  );
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.split(rois, 4, 1) as tf.Tensor2D[]; // each [P, 1]
    const scaleX = tf.div(size, tf.sub(x2!, x1!));
    const scaleY = tf.div(size, tf.sub(y2!, y1!));
    const [x, y, visibility] = tf.unstack(keypoints, 2) as tf.Tensor2D[]; // each [P, K]
    const cell = (value: tf.Tensor2D, offset: tf.Tensor2D, scale: tf.Tensor, edge: tf.Tensor2D) =>
      tf.where(
        tf.equal(value, edge),
        tf.fill(value.shape, size - 1, 'int32'),
        tf.cast(tf.floor(tf.mul(tf.sub(value, offset), scale)), 'int32'),
      );
    const column = cell(x!, x1!, scaleX, x2!);
    const row = cell(y!, y1!, scaleY, y2!);
    const inside = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(column, 0), tf.greaterEqual(row, 0)),
      tf.logicalAnd(tf.less(column, size), tf.less(row, size)),
    );
    const valid = tf.cast(tf.logicalAnd(inside, tf.greater(visibility!, 0)), 'int32') as tf.Tensor2D;
    const heatmaps = tf.mul(tf.add(tf.mul(row, tf.scalar(size, 'int32')), column), valid) as tf.Tensor2D;
    return { heatmaps, valid };
  });
}
