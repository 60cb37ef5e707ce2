import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Inputs of {@link maskIouTargets}: positive RoIs of every image, concatenated. */
export interface MaskIouTargetsInputs {
  /** `[P, M, M]` float32 predicted mask probabilities (sigmoid) of each RoI's GT class. */
  readonly maskProbabilities: tf.Tensor3D;
  /** `[P, M, M]` float32 mask targets in [0, 1] ({@link maskTargets}). */
  readonly maskTargets: tf.Tensor3D;
  /** `[P]` float32 share of the GT instance inside each RoI ({@link maskAreaRatios}); omit for IoU inside the RoI only. */
  readonly areaRatios?: tf.Tensor1D;
  /** Binarisation threshold of prediction and target (0.5). */
  readonly threshold?: number;
}

/**
 * Mask Scoring R-CNN's regression target: IoU between the binarised predicted mask and the
 * binarised target, with the target's area scaled up to the whole instance
 * (`targetArea / areaRatio`), as mmdetection `MaskIoUHead.get_targets`. Thresholds the
 * probabilities (mmdetection thresholds logits at 0.5, a known slip). A zero union gives 0.
 * Not differentiable (targets). Inputs are not disposed. @returns `[P]` float32; caller owns.
 */
export function maskIouTargets({
  maskProbabilities,
  maskTargets,
  areaRatios,
  threshold = 0.5,
}: MaskIouTargetsInputs): tf.Tensor1D {
  ensure(
    maskProbabilities.rank === 3 && maskProbabilities.shape.join() === maskTargets.shape.join(),
    'INVALID_SHAPE',
    () =>
      `maskIouTargets expects predictions and targets of one shape [P, M, M], got [${maskProbabilities.shape.join(', ')}] and [${maskTargets.shape.join(', ')}]`,
  );
  const count = maskProbabilities.shape[0];
  ensure(
    !areaRatios || (areaRatios.rank === 1 && areaRatios.shape[0] === count),
    'INVALID_SHAPE',
    () => `maskIouTargets expects areaRatios [${count}], got [${areaRatios?.shape.join(', ')}]`,
  );
  return tf.tidy(() => {
    const predicted = tf.cast(tf.greater(maskProbabilities, threshold), 'float32');
    const target = tf.cast(tf.greater(maskTargets, threshold), 'float32');
    const predictedArea = tf.sum(predicted, [1, 2]);
    const overlap = tf.sum(tf.mul(predicted, target), [1, 2]);
    const targetArea = tf.sum(target, [1, 2]);
    const fullArea = areaRatios ? tf.div(targetArea, tf.add(areaRatios, 1e-7)) : targetArea;
    const union = tf.sub(tf.add(predictedArea, fullArea), overlap);
    const positive = tf.greater(union, 0);
    return tf.where(
      positive,
      tf.div(overlap, tf.where(positive, union, tf.onesLike(union))),
      tf.zerosLike(union),
    ) as tf.Tensor1D;
  });
}
