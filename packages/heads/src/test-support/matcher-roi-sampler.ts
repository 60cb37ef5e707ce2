import { BalancedSampler, type Boxes, type GroundTruth, Matcher, pairwiseIou } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RoiMatch, RoiSampler } from '../samples/roi-sampler';

/**
 * Test-only reference for the seam: torchvision's `assign_targets_to_proposals` + `subsample`
 * from core's Matcher (0.5 / 0.5, no low-quality matches) and BalancedSampler, one read-back
 * per image. The detector (`@rcnn/models`) owns the real one.
 */
export function matcherRoiSampler({ batchSizePerImage = 512, positiveFraction = 0.25 } = {}): RoiSampler {
  const matcher = new Matcher({ highThreshold: 0.5, lowThreshold: 0.5, allowLowQualityMatches: false });
  const sampler = new BalancedSampler({ batchSizePerImage, positiveFraction });
  return {
    async matchAndSample(proposals: readonly Boxes[], targets: readonly GroundTruth[]): Promise<RoiMatch[]> {
      const matches: RoiMatch[] = [];
      for (const [i, boxes] of proposals.entries()) {
        const matched = tf.tidy(() => matcher.match(pairwiseIou(targets[i]!.boxes, boxes)));
        const [indices, gtLabels] = await Promise.all([matched.data(), targets[i]!.labels.data()]);
        matched.dispose();
        // torchvision's labels: GT class when matched, 0 below the low threshold, -1 (ignored) between
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
