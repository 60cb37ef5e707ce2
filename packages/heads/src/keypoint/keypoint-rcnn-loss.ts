import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { zeroLossOf } from '../layers/index-tensors';
import { HEADS_LOSS_KEYS } from '../loss-keys';
import type { KeypointHeatmapTargets } from './keypoints-to-heatmap';

/** Inputs of {@link keypointRcnnLoss}: positive RoIs of every image, concatenated. */
export interface KeypointRcnnLossInputs extends KeypointHeatmapTargets {
  /** `[P, S, S, K]` float32 heatmap logits (NHWC, keypoint type last), S = 56. */
  readonly keypointLogits: tf.Tensor4D;
}

/**
 * torchvision `models/detection/roi_heads.py::keypointrcnn_loss` given the targets: for every
 * valid (RoI, keypoint) pair, softmax cross-entropy over the `S * S` heatmap positions with the
 * target cell as the class, averaged over valid pairs. No valid pair gives 0.
 * Inputs are not disposed. @returns `{ 'keypoint/crossEntropy' }`; caller owns. Differentiable in the logits.
 */
export function keypointRcnnLoss({
  keypointLogits,
  heatmaps,
  valid,
}: KeypointRcnnLossInputs): Record<typeof HEADS_LOSS_KEYS.keypointCrossEntropy, tf.Scalar> {
  const [count, height, width, numKeypoints] = keypointLogits.shape;
  ensure(
    keypointLogits.rank === 4 && height === width,
    'INVALID_SHAPE',
    () => `keypointRcnnLoss expects square logits [P, S, S, K], got [${keypointLogits.shape.join(', ')}]`,
  );
  ensure(
    [heatmaps, valid].every(
      (t) => t.rank === 2 && t.shape[0] === count && t.shape[1] === numKeypoints && t.dtype === 'int32',
    ),
    'INVALID_SHAPE',
    () =>
      `keypointRcnnLoss expects int32 heatmaps and valid [${count}, ${numKeypoints}], got ${heatmaps.dtype} [${heatmaps.shape.join(', ')}] and ${valid.dtype} [${valid.shape.join(', ')}]`,
  );
  return tf.tidy(() => {
    if (count === 0) return { [HEADS_LOSS_KEYS.keypointCrossEntropy]: zeroLossOf(keypointLogits) };
    const positions = height * width;
    const rows = count * numKeypoints;
    // [P, S, S, K] -> [P, K, S*S]: one row of positions per (RoI, keypoint), torch's view order
    const logits = tf.reshape(tf.transpose(keypointLogits, [0, 3, 1, 2]), [rows, positions]);
    // one-hot pick, not gather: gather's gradient (UnsortedSegmentSum) has no wasm kernel.
    // (int32 one-hot then cast: the wasm OneHot kernel ignores a float32 dtype in tfjs 4.22.)
    const targets = tf.cast(tf.oneHot(tf.reshape(heatmaps, [rows]), positions), 'float32');
    const picked = tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1);
    const weights = tf.cast(tf.reshape(valid, [rows]), 'float32');
    const total = tf.neg(tf.sum(tf.mul(picked, weights)));
    return {
      [HEADS_LOSS_KEYS.keypointCrossEntropy]: tf.div(total, tf.maximum(tf.sum(weights), 1)) as tf.Scalar,
    };
  });
}
