import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Binary masks from pasted probabilities: `probability > threshold` (strictly greater),
 * as torchvision's reference scripts do before COCO encoding
 * (references/detection/coco_eval.py: `masks = masks > 0.5`). A probability of exactly
 * 0.5 is background.
 *
 * @param probabilities `[N, H, W]` float32 in [0, 1] (e.g. from {@link pasteMasks}); not disposed
 * @param threshold default 0.5
 * @returns `[N, H, W]` bool; caller owns
 */
export function thresholdMasks(probabilities: tf.Tensor3D, threshold = 0.5): tf.Tensor3D {
  ensure(
    probabilities.rank === 3,
    'INVALID_SHAPE',
    () => `probabilities must have shape [N, H, W], got [${probabilities.shape.join(', ')}]`,
  );
  ensure(
    Number.isFinite(threshold),
    'INVALID_ARGUMENT',
    () => `threshold must be a finite number, got ${threshold}`,
  );
  return tf.tidy(() => tf.greater(probabilities, threshold));
}
