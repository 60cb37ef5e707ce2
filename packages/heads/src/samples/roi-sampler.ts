import type { Boxes, GroundTruth } from '@rcnn/core';

/**
 * What matching and sampling decided for one image's proposals (GT boxes appended, see
 * {@link appendGtProposals}). Host arrays: sampling is a host step after one read-back.
 */
export interface RoiMatch {
  /**
   * `[P]` per proposal: the matched GT index, or -1 (IoU below the low threshold: background)
   * or -2 (between thresholds: ignored). The output of a `Matcher({ highThreshold: 0.5,
   * lowThreshold: 0.5 })` on `pairwiseIou(gtBoxes, proposals)`.
   */
  readonly matchedGtIndices: ArrayLike<number>;
  /** Chosen positive proposals, ascending (each must have a match >= 0). */
  readonly sampledPositive: ArrayLike<number>;
  /** Chosen negative proposals, ascending. */
  readonly sampledNegative: ArrayLike<number>;
}

/**
 * The seam where the detector plugs proposal matching and sampling into the RoI heads
 * (torchvision `RoIHeads.assign_targets_to_proposals` + `subsample`): heads does not own a
 * matcher or sampler. An implementation composes `@rcnn/core`'s `Matcher` (0.5 / 0.5, no
 * low-quality matches) and `BalancedSampler` (512 per image, 25% positive, seeded) with
 * `pairwiseIou`, reading the match back once per image; `src/test-support/matcher-roi-sampler.ts`
 * is a tested reference (not exported: the detector owns the composition).
 */
export interface RoiSampler {
  /**
   * @param proposals per image, `[P_i, 4]` xyxy with the GT boxes already appended; not disposed
   * @param targets per image ground truth (boxes, labels); not disposed
   * @returns one {@link RoiMatch} per image
   */
  matchAndSample(proposals: readonly Boxes[], targets: readonly GroundTruth[]): Promise<RoiMatch[]>;
}
