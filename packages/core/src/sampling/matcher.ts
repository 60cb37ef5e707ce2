import * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';

/** Options of {@link Matcher}. */
export interface MatcherOptions {
  /** Quality `>=` this is a match (RPN 0.7, RoI heads 0.5). */
  readonly highThreshold: number;
  /** Quality `<` this is background; in between is ignored (RPN 0.3, RoI heads 0.5). */
  readonly lowThreshold: number;
  /** Also match each ground truth to the elements it overlaps best, ties included (RPN: true). */
  readonly allowLowQualityMatches?: boolean;
}

/**
 * Assigns each element (anchor, proposal) at most one ground truth from an `[M, N]` quality
 * matrix (IoU of M ground-truth boxes with N elements): torchvision
 * `models/detection/_utils.py::Matcher`, including its low-quality rule (for every ground truth,
 * every element tied at that ground truth's best quality gets its own best match, even at quality 0).
 *
 * Differs from torchvision on empty input only: M = 0 gives all {@link Matcher.BELOW_LOW_THRESHOLD}
 * (background) and N = 0 an empty result, where torchvision raises.
 */
export class Matcher {
  /** Element whose best quality is below `lowThreshold` (background). */
  static readonly BELOW_LOW_THRESHOLD = -1;
  /** Element whose best quality is in `[lowThreshold, highThreshold)` (ignored). */
  static readonly BETWEEN_THRESHOLDS = -2;

  readonly highThreshold: number;
  readonly lowThreshold: number;
  readonly allowLowQualityMatches: boolean;

  constructor({ highThreshold, lowThreshold, allowLowQualityMatches = false }: MatcherOptions) {
    ensure(
      lowThreshold <= highThreshold,
      'INVALID_ARGUMENT',
      () => `Matcher lowThreshold (${lowThreshold}) must be <= highThreshold (${highThreshold})`,
    );
    this.highThreshold = highThreshold;
    this.lowThreshold = lowThreshold;
    this.allowLowQualityMatches = allowLowQualityMatches;
  }

  /**
   * @param quality `[M, N]` float32 (ground truths x elements), e.g. `pairwiseIou(gtBoxes, anchors)`; not disposed
   * @returns `[N]` int32: matched ground-truth index in `[0, M)`, or -1 (below low) / -2 (between); caller owns.
   *   Synchronous, no read-back.
   */
  match(quality: tf.Tensor2D): tf.Tensor1D {
    ensure(
      quality.rank === 2,
      'INVALID_SHAPE',
      () => `match quality must be [M, N], got [${quality.shape.join(', ')}]`,
    );
    const [numTruths, numElements] = quality.shape;
    if (numTruths === 0 || numElements === 0) {
      return tf.fill([numElements], Matcher.BELOW_LOW_THRESHOLD, 'int32') as tf.Tensor1D;
    }
    return tf.tidy(() => {
      const best = tf.max(quality, 0);
      const bestMatches = tf.argMax(quality, 0); // int32; // first index among ties, like torch's max(dim)
      const below = tf.less(best, this.lowThreshold);
      const between = tf.logicalAnd(
        tf.greaterEqual(best, this.lowThreshold),
        tf.less(best, this.highThreshold),
      );
      let matches = tf.where(below, tf.scalar(Matcher.BELOW_LOW_THRESHOLD, 'int32'), bestMatches);
      matches = tf.where(between, tf.scalar(Matcher.BETWEEN_THRESHOLDS, 'int32'), matches);
      if (this.allowLowQualityMatches) {
        const bestPerTruth = tf.max(quality, 1, true);
        const isBestForSomeTruth = tf.any(tf.equal(quality, bestPerTruth), 0);
        matches = tf.where(isBestForSomeTruth, bestMatches, matches);
      }
      return matches as tf.Tensor1D;
    });
  }
}
