import type { BoxCoder, Matcher, PositiveNegativeSampler } from '@rcnn/core';
import type { AnchorGenerator } from './anchor-generator';
import type { RpnHead } from './rpn-head';

/** A setting that differs between training and inference. */
export interface PhasePair {
  readonly train: number;
  readonly infer: number;
}

/** Which of a {@link PhasePair} applies. */
export type Phase = keyof PhasePair;

/** Options of `RegionProposalNetwork`: built parts are injected; scalars default to torchvision's FPN values. */
export interface RegionProposalNetworkOptions {
  readonly anchorGenerator: AnchorGenerator;
  /** Owned by the RPN from here on: `dispose()` disposes it. */
  readonly head: RpnHead;
  /** Default `new BoxCoder({ weights: [1, 1, 1, 1] })`. */
  readonly boxCoder?: BoxCoder;
  /** Default `new Matcher({ highThreshold: 0.7, lowThreshold: 0.3, allowLowQualityMatches: true })`. */
  readonly matcher?: Matcher;
  /** Default `new BalancedSampler({ batchSizePerImage: 256, positiveFraction: 0.5 })` (seeded). */
  readonly sampler?: PositiveNegativeSampler;
  /** Per-level candidates before NMS. Default `{ train: 2000, infer: 1000 }`. */
  readonly preNmsTopN?: PhasePair;
  /** Proposals per image after NMS. Default `{ train: 2000, infer: 1000 }`. */
  readonly postNmsTopN?: PhasePair;
  /** Default 0.7. */
  readonly nmsThresh?: number;
  /** Default 0.0. */
  readonly scoreThresh?: number;
  /** Default 1e-3 pixels. */
  readonly minSize?: number;
}
