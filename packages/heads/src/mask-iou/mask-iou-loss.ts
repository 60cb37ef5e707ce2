import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type IndexInput, toIndexTensor, zeroLossOf } from '../layers/index-tensors';
import { selectClassColumn } from '../layers/select-class';
import { HEADS_LOSS_KEYS } from '../loss-keys';

/** Inputs of {@link maskIouLoss}: positive RoIs of every image, concatenated. */
export interface MaskIouLossInputs {
  /** `[P, K]` float32 predicted MaskIoU per class ({@link MaskIouHead}). */
  readonly maskIouPrediction: tf.Tensor2D;
  /** `[P]` int32 GT class of each RoI (the column trained). */
  readonly labels: IndexInput;
  /** `[P]` float32 target IoU ({@link maskIouTargets}). */
  readonly maskIouTargets: tf.Tensor1D;
  /** Loss weight (1, as Mask Scoring R-CNN). */
  readonly weight?: number;
}

/**
 * Mask Scoring R-CNN's MaskIoU loss: `weight * 0.5 * mean((prediction[label] - target)^2)` over
 * the RoIs whose target IoU is > 0 (the reference `l2_loss`; mmdetection's MSE with weight 0.5).
 * No such RoI gives 0. Compute targets outside the gradient scope (they are constants). Inputs are not disposed.
 * @returns `{ 'maskIou/l2' }`; caller owns. Differentiable in `maskIouPrediction`.
 */
export function maskIouLoss({
  maskIouPrediction,
  labels,
  maskIouTargets,
  weight = 1,
}: MaskIouLossInputs): Record<typeof HEADS_LOSS_KEYS.maskIouL2, tf.Scalar> {
  const count = maskIouPrediction.shape[0];
  ensure(
    maskIouPrediction.rank === 2 && maskIouTargets.rank === 1 && maskIouTargets.shape[0] === count,
    'INVALID_SHAPE',
    () =>
      `maskIouLoss expects predictions [P, K] and targets [P], got [${maskIouPrediction.shape.join(', ')}] and [${maskIouTargets.shape.join(', ')}]`,
  );
  return tf.tidy(() => {
    const labelTensor = toIndexTensor('maskIouLoss labels', labels, count);
    if (count === 0) return { [HEADS_LOSS_KEYS.maskIouL2]: zeroLossOf(maskIouPrediction) };
    const predicted = selectClassColumn(maskIouPrediction, labelTensor);
    const target = maskIouTargets;
    const kept = tf.cast(tf.greater(target, 0), 'float32');
    const squared = tf.mul(tf.square(tf.sub(predicted, target)), kept);
    const loss = tf.mul(0.5 * weight, tf.div(tf.sum(squared), tf.maximum(tf.sum(kept), 1)));
    return { [HEADS_LOSS_KEYS.maskIouL2]: loss as tf.Scalar };
  });
}
