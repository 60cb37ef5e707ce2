import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropyPerRow, type IndexInput, toIndexTensor, zeroLossOf } from '../layers/index-tensors';
import { HEADS_LOSS_KEYS } from '../loss-keys';

/** Inputs of {@link fastRcnnLoss}: every sampled RoI of every image, concatenated. */
export interface FastRcnnLossInputs {
  /** `[N, K]` float32 class logits (K includes background). */
  readonly classLogits: tf.Tensor2D;
  /** `[N, 4K]` float32 per-class deltas from the predictor. */
  readonly boxRegression: tf.Tensor2D;
  /** `[N]` int32 class of each sampled RoI, 0 = background. */
  readonly labels: IndexInput;
  /** `[N, 4]` float32 encoded targets (BoxCoder weights 10, 10, 5, 5); only positive rows are read. */
  readonly regressionTargets: tf.Tensor2D;
  /** Smooth L1 transition point (torchvision: 1/9). */
  readonly beta?: number;
}

/**
 * torchvision `models/detection/roi_heads.py::fastrcnn_loss`: cross-entropy over all N RoIs
 * (mean), and smooth L1 (beta 1/9) between the deltas of each positive RoI's own class and
 * its target, summed over positives and divided by N (not by the positives).
 * N = 0 gives zeros (torchvision would give NaN). Inputs are not disposed; caller owns the
 * returned scalars. Differentiable in `classLogits` and `boxRegression`.
 */
export function fastRcnnLoss({
  classLogits,
  boxRegression,
  labels,
  regressionTargets,
  beta = 1 / 9,
}: FastRcnnLossInputs): Record<
  typeof HEADS_LOSS_KEYS.classification | typeof HEADS_LOSS_KEYS.boxRegression,
  tf.Scalar
> {
  const [count, numClasses] = classLogits.shape;
  ensure(
    classLogits.rank === 2 &&
      boxRegression.rank === 2 &&
      boxRegression.shape[0] === count &&
      boxRegression.shape[1] === 4 * numClasses &&
      regressionTargets.rank === 2 &&
      regressionTargets.shape[0] === count &&
      regressionTargets.shape[1] === 4,
    'INVALID_SHAPE',
    () =>
      `fastRcnnLoss expects classLogits [N, K], boxRegression [N, 4K], regressionTargets [N, 4]; got [${classLogits.shape}], [${boxRegression.shape}], [${regressionTargets.shape}]`,
  );
  return tf.tidy(() => {
    const labelTensor = toIndexTensor('fastRcnnLoss labels', labels, count);
    if (count === 0) {
      return {
        [HEADS_LOSS_KEYS.classification]: zeroLossOf(classLogits),
        [HEADS_LOSS_KEYS.boxRegression]: zeroLossOf(boxRegression),
      };
    }
    const classification = tf.mean(crossEntropyPerRow(classLogits, labelTensor)) as tf.Scalar;
    // The deltas of each RoI's own class: [N, K, 4] weighted by a one-hot over K.
    const perClass = tf.reshape(boxRegression, [count, numClasses, 4]);
    const ownClass = tf.sum(tf.mul(perClass, tf.expandDims(tf.oneHot(labelTensor, numClasses), 2)), 1);
    const distance = tf.abs(tf.sub(ownClass, regressionTargets));
    // 0.5 d^2 / beta below beta, d - beta / 2 above: written with min so it has a gradient
    const quadratic = tf.minimum(distance, beta);
    const smoothL1 = tf.add(tf.div(tf.mul(0.5, tf.square(quadratic)), beta), tf.sub(distance, quadratic));
    // `where`, not a multiply: negatives' targets may be garbage (torchvision encodes them
    // against a zero box when an image has no GT, giving -inf).
    const positive = tf.expandDims(tf.greater(labelTensor, 0), 1);
    const kept = tf.where(tf.broadcastTo(positive, smoothL1.shape), smoothL1, tf.zerosLike(smoothL1));
    const boxRegressionLoss = tf.div(tf.sum(kept), count) as tf.Scalar;
    return {
      [HEADS_LOSS_KEYS.classification]: classification,
      [HEADS_LOSS_KEYS.boxRegression]: boxRegressionLoss,
    };
  });
}
