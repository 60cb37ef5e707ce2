import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type IndexInput, toIndexTensor, zeroLossOf } from '../layers/index-tensors';
import { selectClassChannel } from '../layers/select-class';
import { HEADS_LOSS_KEYS } from '../loss-keys';

/** Inputs of {@link maskRcnnLoss}: positive RoIs of every image, concatenated. */
export interface MaskRcnnLossInputs {
  /** `[P, M, M, K]` float32 mask logits (NHWC, class last) from the mask predictor. */
  readonly maskLogits: tf.Tensor4D;
  /** `[P]` int32 GT class of each positive RoI (picks the channel trained). */
  readonly labels: IndexInput;
  /** `[P, M, M]` float32 targets in [0, 1] (from {@link maskTargets}). */
  readonly maskTargets: tf.Tensor3D;
}

/**
 * torchvision `models/detection/roi_heads.py::maskrcnn_loss` given the targets: binary
 * cross-entropy with logits between the GT class's mask logits and the targets, averaged over
 * every pixel of every positive RoI (the other classes' masks get no gradient: per-class
 * sigmoid, decoupled from classification). No positives gives 0 (`logits.sum() * 0`).
 * Inputs are not disposed. @returns `{ 'mask/bce' }`; caller owns. Differentiable in `maskLogits`.
 */
export function maskRcnnLoss({
  maskLogits,
  labels,
  maskTargets,
}: MaskRcnnLossInputs): Record<typeof HEADS_LOSS_KEYS.maskBce, tf.Scalar> {
  const [count, height, width] = maskLogits.shape;
  ensure(
    maskLogits.rank === 4 &&
      maskTargets.rank === 3 &&
      maskTargets.shape[0] === count &&
      maskTargets.shape[1] === height &&
      maskTargets.shape[2] === width,
    'INVALID_SHAPE',
    () =>
      `maskRcnnLoss expects maskLogits [P, M, M, K] and maskTargets [P, M, M], got [${maskLogits.shape.join(', ')}] and [${maskTargets.shape.join(', ')}]`,
  );
  return tf.tidy(() => {
    const labelTensor = toIndexTensor('maskRcnnLoss labels', labels, count);
    if (count === 0) return { [HEADS_LOSS_KEYS.maskBce]: zeroLossOf(maskLogits) };
    const logits = selectClassChannel(maskLogits, labelTensor);
    // max(x, 0) - x * z + log(1 + exp(-|x|)): stable for large |x|
    const perPixel = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, maskTargets)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    return { [HEADS_LOSS_KEYS.maskBce]: tf.mean(perPixel) as tf.Scalar };
  });
}
