import { type Boxes, ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type IndexInput, toIndexTensor } from '../layers/index-tensors';
import { type KeypointHeatmapTargets, keypointsToHeatmap } from './keypoints-to-heatmap';

/** Inputs of {@link keypointTargets} for one image. */
export interface KeypointTargetsInputs {
  /** `[G, K, 3]` float32 GT keypoints (x, y, visibility) in the image's pixels. */
  readonly gtKeypoints: tf.Tensor3D;
  /** `[P, 4]` positive proposals, xyxy. */
  readonly proposals: Boxes;
  /** `[P]` int32 GT index matched to each proposal. */
  readonly matchedGtIndices: IndexInput;
  /** Heatmap side (56: the keypoint predictor's output size). */
  readonly size?: number;
}

/**
 * The per-image part of torchvision `keypointrcnn_loss`: each proposal's matched GT keypoints
 * (`gt_keypoints[matched]`) through {@link keypointsToHeatmap}. Inputs are not disposed;
 * caller owns the result.
 */
export function keypointTargets({
  gtKeypoints,
  proposals,
  matchedGtIndices,
  size = 56,
}: KeypointTargetsInputs): KeypointHeatmapTargets {
  ensure(
    gtKeypoints.rank === 3 && gtKeypoints.shape[2] === 3,
    'INVALID_SHAPE',
    () => `keypointTargets expects gtKeypoints [G, K, 3], got [${gtKeypoints.shape.join(', ')}]`,
  );
  const count = proposals.shape[0];
  return tf.tidy((): { heatmaps: tf.Tensor2D; valid: tf.Tensor2D } => {
    const indices = toIndexTensor('keypointTargets matchedGtIndices', matchedGtIndices, count);
    const numKeypoints = gtKeypoints.shape[1];
    if (count === 0) {
      return {
        heatmaps: tf.zeros([0, numKeypoints], 'int32') as tf.Tensor2D,
        valid: tf.zeros([0, numKeypoints], 'int32') as tf.Tensor2D,
      };
    }
    ensure(
      gtKeypoints.shape[0] > 0,
      'INVALID_ARGUMENT',
      () => 'keypointTargets got positive proposals but no GT keypoints',
    );
    const { heatmaps, valid } = keypointsToHeatmap(
      tf.gather(gtKeypoints, indices) as tf.Tensor3D,
      proposals,
      size,
    );
    return { heatmaps, valid };
  });
}
