import * as tf from '@tensorflow/tfjs-core';

/** Settings of the FPN level rule (torchvision `LevelMapper`'s constructor arguments). */
export interface FpnLevelRule {
  /** Pyramid level of the first and last feature maps (log2 of their strides), e.g. 2 and 5. */
  minLevel: number;
  maxLevel: number;
  /** Box side that maps to `canonicalLevel`. Default 224 (ImageNet pre-training size). */
  canonicalScale?: number;
  /** Default 4. */
  canonicalLevel?: number;
  /** Added before the floor so exact powers of two are not pushed down by rounding. Default 1e-6. */
  eps?: number;
}

/**
 * The FPN paper's Eqn. 1 as torchvision applies it: `k = floor(k0 + log2(sqrt(area) / s0) + eps)`,
 * clamped to `[minLevel, maxLevel]`, returned as `k - minLevel` (an index into the levels).
 * A box with negative area (x2 < x1) gets -1, so it pools zeros: torchvision's NaN level
 * matches no level either.
 *
 * @param boxes `[R, 4]` float32 xyxy image pixels. Not disposed.
 * @returns `[R]` int32 level indices; caller owns. Matches torchvision `ops/poolers.py::LevelMapper`.
 */
export function assignFpnLevels(boxes: tf.Tensor2D, rule: FpnLevelRule): tf.Tensor1D {
  const { minLevel, maxLevel, canonicalScale = 224, canonicalLevel = 4, eps = 1e-6 } = rule;
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = tf.unstack(boxes, 1) as tf.Tensor1D[];
    const area = tf.mul(tf.sub(x2!, x1!), tf.sub(y2!, y1!));
    const side = tf.sqrt(area);
    const log2 = tf.div(tf.log(tf.div(side, canonicalScale)), Math.LN2);
    const level = tf.floor(tf.add(tf.add(log2, canonicalLevel), eps));
    // Negative area is tested directly: backends disagree on sqrt of a negative and on clipping NaN.
    const index = tf.sub(tf.clipByValue(level, minLevel, maxLevel), minLevel);
    const noLevel = tf.logicalOr(tf.less(area, 0), tf.isNaN(area));
    return tf.cast(tf.where(noLevel, tf.fill(index.shape, -1), index), 'int32') as tf.Tensor1D;
  });
}
