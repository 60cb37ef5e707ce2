import { ensure, type LossRecord } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RpnHeadOutputs } from './flatten-head-outputs';
import type { RpnTrainingTargets } from './rpn-training-targets';

/** Loss key of the RPN objectness loss (binary cross-entropy over sampled anchors). */
export const RPN_LOSS_OBJECTNESS = 'rpn/objectness';
/** Loss key of the RPN box regression loss (smooth L1, beta 1/9, over sampled positives). */
export const RPN_LOSS_BOX_REGRESSION = 'rpn/boxRegression';

/** torchvision's smooth L1 beta for the RPN. */
const SMOOTH_L1_BETA = 1 / 9;

/**
 * The RPN losses (torchvision `models/detection/rpn.py::RegionProposalNetwork.compute_loss`):
 * objectness = mean binary cross-entropy with logits over the sampled anchors; box regression =
 * sum of smooth L1 (beta 1/9) over the sampled positives divided by the number of sampled anchors.
 *
 * Synchronous and differentiable with respect to `head` (and so the head's weights): call it inside
 * `tf.variableGrads`. The targets are data (masks and encoded targets, no gradient). Written as masked
 * dense sums rather than gathers, so shapes are stable across steps and only element-wise kernels
 * are needed for the gradient. With no sampled anchor at all both losses are 0 (torchvision: NaN).
 * @param head flattened head outputs `[B, N]`, `[B, N, 4]`; not disposed
 * @param targets from `assignRpnTargets` for the same anchors; not disposed
 * @returns `{ 'rpn/objectness', 'rpn/boxRegression' }` scalars; caller owns.
 */
export function rpnLosses(head: RpnHeadOutputs, targets: RpnTrainingTargets): LossRecord {
  const [batch, numAnchors] = head.objectness.shape;
  ensure(
    targets.sampledMask.shape[0] === batch * numAnchors && head.boxDeltas.shape[1] === numAnchors,
    'INVALID_SHAPE',
    () =>
      `RPN targets cover ${targets.sampledMask.shape[0]} anchors but the head produced ${batch} x ${numAnchors}`,
  );
  return tf.tidy(() => {
    const normalizer = Math.max(1, targets.numSampled);
    const logits = tf.reshape(head.objectness, [-1]);
    // max(x, 0) - x z + log(1 + exp(-|x|)): the stable form of BCE with logits
    const crossEntropy = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, targets.positiveMask)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    const objectnessLoss = tf.div(tf.sum(tf.mul(crossEntropy, targets.sampledMask)), normalizer);

    const difference = tf.abs(tf.sub(tf.reshape(head.boxDeltas, [-1, 4]), targets.regressionTargets));
    // smooth L1 without a branch (comparison ops have no gradient in tfjs): with m = min(|d|, beta),
    // 0.5 m^2 / beta + (|d| - m) is 0.5 d^2 / beta below beta and |d| - 0.5 beta above, like torch.
    const inner = tf.minimum(difference, SMOOTH_L1_BETA);
    const smoothL1 = tf.add(tf.mul(tf.square(inner), 0.5 / SMOOTH_L1_BETA), tf.sub(difference, inner));
    const boxLoss = tf.div(tf.sum(tf.mul(smoothL1, tf.expandDims(targets.positiveMask, 1))), normalizer);
    return {
      [RPN_LOSS_OBJECTNESS]: objectnessLoss as tf.Scalar,
      [RPN_LOSS_BOX_REGRESSION]: boxLoss as tf.Scalar,
    };
  });
}
