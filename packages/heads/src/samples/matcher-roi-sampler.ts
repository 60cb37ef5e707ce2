import { BalancedSampler, type Boxes, type GroundTruth, Matcher, pairwiseIou } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RoiMatch, RoiSampler } from './roi-sampler';

/** Options of {@link matcherRoiSampler}; defaults are torchvision's RoIHeads. */
export interface MatcherRoiSamplerOptions {
  /** IoU at or above which a proposal is foreground (torchvision `box_fg_iou_thresh`, 0.5). */
  readonly fgIouThresh?: number;
  /** IoU below which a proposal is background (torchvision `box_bg_iou_thresh`, 0.5). */
  readonly bgIouThresh?: number;
  /** RoIs sampled per image (torchvision `box_batch_size_per_image`, 512). */
  readonly batchSizePerImage?: number;
  /** Largest share of positives in a sample (torchvision `box_positive_fraction`, 0.25). */
  readonly positiveFraction?: number;
  /** Random source of the sampler (default: core's seeded generator). */
  readonly random?: () => number;
}

/**
 * The default `RoiSampler` of the RoI heads (torchvision `RoIHeads.assign_targets_to_proposals`
 * + `subsample`): core's `Matcher` (fg / bg thresholds, no low-quality matches) on
 * `pairwiseIou(gt, proposals)`, labels (GT class, 0 below the low threshold, -1 between), then
 * core's `BalancedSampler`. One read-back per image. Lives in heads (not models) so every detector built from the packages gets it.
 */
export function matcherRoiSampler({
  fgIouThresh = 0.5,
  bgIouThresh = 0.5,
  batchSizePerImage = 512,
  positiveFraction = 0.25,
  random,
}: MatcherRoiSamplerOptions = {}): RoiSampler {
  const matcher = new Matcher({
    highThreshold: fgIouThresh,
    lowThreshold: bgIouThresh,
    allowLowQualityMatches: false,
  });
  const sampler = new BalancedSampler({ batchSizePerImage, positiveFraction, ...(random ? { random } : {}) });
  return {
    async matchAndSample(proposals: readonly Boxes[], targets: readonly GroundTruth[]): Promise<RoiMatch[]> {
      const matches: RoiMatch[] = [];
      for (const [i, boxes] of proposals.entries()) {
        const matched = tf.tidy(() => matcher.match(pairwiseIou(targets[i]!.boxes, boxes)));
        const [indices, gtLabels] = await Promise.all([matched.data(), targets[i]!.labels.data()]);
        matched.dispose();
        const labels = Array.from(indices, (m) =>
          m >= 0 ? gtLabels[m]! : m === Matcher.BELOW_LOW_THRESHOLD ? 0 : -1,
        );
        const [{ positive, negative }] = sampler.sample([labels]) as [
          { positive: Int32Array; negative: Int32Array },
        ];
        matches.push({
          matchedGtIndices: Int32Array.from(indices),
          sampledPositive: positive,
          sampledNegative: negative,
        });
      }
      return matches;
    },
  };
}
