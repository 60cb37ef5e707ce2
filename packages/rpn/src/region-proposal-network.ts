import {
  BalancedSampler,
  BoxCoder,
  type Boxes,
  ensure,
  type FeatureMaps,
  type GroundTruth,
  type ImageBatch,
  type LossRecord,
  Matcher,
  type ModuleWeightSlot,
  type PositiveNegativeSampler,
  type ProposalGenerator,
  type Proposals,
} from '@rcnn/core';
import { type AnchorGenerator, gridSizesOf, paddedSizeOf } from './anchor-generator';
import { filterProposals } from './filter-proposals';
import { flattenHeadOutputs, type RpnHeadOutputs } from './flatten-head-outputs';
import type { Phase, PhasePair, RegionProposalNetworkOptions } from './region-proposal-network-options';
import type { RpnHead } from './rpn-head';
import { rpnLosses } from './rpn-losses';
import { assignRpnTargets, type RpnTrainingTargets } from './rpn-training-targets';

/**
 * Region Proposal Network (torchvision `models/detection/rpn.py::RegionProposalNetwork`):
 * feature pyramid in, proposals out; `loss` also returns `rpn/objectness` and `rpn/boxRegression`.
 *
 * For training with `tf.variableGrads`, whose function must be synchronous, use the parts:
 * `assignTargets` (async: matching, sampling) outside, then `forwardHead` + `computeLosses` inside.
 */
export class RegionProposalNetwork implements ProposalGenerator {
  readonly specificationVersion = 'v1' as const;
  readonly anchorGenerator: AnchorGenerator;
  readonly head: RpnHead;
  readonly boxCoder: BoxCoder;
  readonly matcher: Matcher;
  readonly sampler: PositiveNegativeSampler;
  readonly preNmsTopN: PhasePair;
  readonly postNmsTopN: PhasePair;
  readonly nmsThresh: number;
  readonly scoreThresh: number;
  readonly minSize: number;

  constructor(options: RegionProposalNetworkOptions) {
    const perLocation = options.anchorGenerator.numAnchorsPerLocation();
    ensure(
      perLocation.every((count) => count === options.head.numAnchors),
      'INVALID_ARGUMENT',
      () =>
        `the head predicts ${options.head.numAnchors} anchors per location, the anchor generator makes [${perLocation.join(', ')}]`,
    );
    this.anchorGenerator = options.anchorGenerator;
    this.head = options.head;
    this.boxCoder = options.boxCoder ?? new BoxCoder({ weights: [1, 1, 1, 1] });
    this.matcher =
      options.matcher ?? new Matcher({ highThreshold: 0.7, lowThreshold: 0.3, allowLowQualityMatches: true });
    this.sampler = options.sampler ?? new BalancedSampler({ batchSizePerImage: 256, positiveFraction: 0.5 });
    this.preNmsTopN = options.preNmsTopN ?? { train: 2000, infer: 1000 };
    this.postNmsTopN = options.postNmsTopN ?? { train: 2000, infer: 1000 };
    this.nmsThresh = options.nmsThresh ?? 0.7;
    this.scoreThresh = options.scoreThresh ?? 0.0;
    this.minSize = options.minSize ?? 1e-3;
  }

  /**
   * Head outputs flattened in anchor order. Synchronous and differentiable (use inside `tf.variableGrads`).
   * @param features levels `[B, H_l, W_l, C]`, one per anchor-generator level; not disposed
   * @returns caller owns.
   */
  forwardHead(features: FeatureMaps): RpnHeadOutputs {
    this.#checkFeatures(features);
    const levels = this.head.forward(features);
    try {
      return flattenHeadOutputs(levels);
    } finally {
      for (const t of [...levels.objectness, ...levels.boxDeltas]) t.dispose();
    }
  }

  /** Anchors for a batch and pyramid (shapes only). @returns `[N, 4]` xyxy; caller owns. */
  anchors(batch: ImageBatch, features: FeatureMaps): Boxes {
    this.#checkFeatures(features);
    return this.anchorGenerator.forFeatures(batch, features);
  }

  /**
   * Proposals from already computed head outputs (no gradient), with the `phase`'s counts.
   * @param anchors `[N, 4]` from {@link anchors}; `head` from {@link forwardHead}; neither disposed
   * @returns one {@link Proposals} per image; caller owns.
   */
  proposalsFromHead(
    batch: ImageBatch,
    anchors: Boxes,
    head: RpnHeadOutputs,
    phase: Phase,
  ): Promise<Proposals[]> {
    return filterProposals(
      { anchors, head, imageSizes: batch.imageSizes, boxCoder: this.boxCoder },
      {
        preNmsTopN: this.preNmsTopN[phase],
        postNmsTopN: this.postNmsTopN[phase],
        nmsThresh: this.nmsThresh,
        scoreThresh: this.scoreThresh,
        minSize: this.minSize,
      },
    );
  }

  /**
   * Inference: proposals per image (inference counts), boxes xyxy in resized-image pixels,
   * scores are objectness probabilities, by decreasing score. Inputs not disposed; caller owns the result.
   */
  async predict(batch: ImageBatch, features: FeatureMaps): Promise<Proposals[]> {
    return this.#withHead(batch, features, (anchors, head) =>
      this.proposalsFromHead(batch, anchors, head, 'infer'),
    );
  }

  /**
   * Matches anchors to ground truth and samples them (async, one read-back): the data
   * {@link computeLosses} needs. Only the feature shapes are read.
   * @returns targets; caller owns (`dispose()`).
   */
  async assignTargets(
    batch: ImageBatch,
    features: FeatureMaps,
    targets: readonly GroundTruth[],
  ): Promise<RpnTrainingTargets> {
    const numImages = batch.tensor.shape[0];
    ensure(
      targets.length === numImages,
      'INVALID_ARGUMENT',
      () => `got ${targets.length} ground-truth records for a batch of ${numImages}`,
    );
    const anchors = this.anchors(batch, features);
    try {
      return await assignRpnTargets({
        anchors,
        groundTruthBoxes: targets.map((t) => t.boxes),
        matcher: this.matcher,
        sampler: this.sampler,
        boxCoder: this.boxCoder,
      });
    } finally {
      anchors.dispose();
    }
  }

  /**
   * The RPN losses from head outputs and assigned targets. Synchronous and differentiable.
   * @returns `{ 'rpn/objectness', 'rpn/boxRegression' }` scalars; caller owns.
   */
  computeLosses(head: RpnHeadOutputs, targets: RpnTrainingTargets): LossRecord {
    return rpnLosses(head, targets);
  }

  /**
   * Training: proposals (training counts; detached) and the losses. The losses are not reachable by
   * `tf.variableGrads` from here (this method is async); see the class note for the training split.
   * Inputs not disposed; caller owns proposals and losses.
   */
  async loss(
    batch: ImageBatch,
    features: FeatureMaps,
    targets: readonly GroundTruth[],
  ): Promise<{ proposals: Proposals[]; losses: LossRecord }> {
    const trainingTargets = await this.assignTargets(batch, features, targets);
    try {
      return await this.#withHead(batch, features, async (anchors, head) => {
        const losses = this.computeLosses(head, trainingTargets);
        try {
          return { proposals: await this.proposalsFromHead(batch, anchors, head, 'train'), losses };
        } catch (error) {
          for (const t of Object.values(losses)) t.dispose();
          throw error;
        }
      });
    } finally {
      trainingTargets.dispose();
    }
  }

  /** The head's weights under torchvision's `rpn.head.` (the RPN's only weights; anchors have none). */
  weightSlots(): ModuleWeightSlot[] {
    return this.head.weightSlots();
  }

  /** Releases the head's weights. */
  dispose(): void {
    this.head.dispose();
  }

  async #withHead<T>(
    batch: ImageBatch,
    features: FeatureMaps,
    body: (anchors: Boxes, head: RpnHeadOutputs) => Promise<T>,
  ): Promise<T> {
    ensure(
      batch.imageSizes.length === batch.tensor.shape[0],
      'INVALID_ARGUMENT',
      () => `ImageBatch has ${batch.tensor.shape[0]} images but ${batch.imageSizes.length} image sizes`,
    );
    paddedSizeOf(batch);
    const numImages = batch.tensor.shape[0];
    for (const level of features) {
      ensure(
        level.tensor.shape[0] === numImages,
        'INVALID_SHAPE',
        () =>
          `feature level ${level.name} has batch ${level.tensor.shape[0]}, the image batch has ${numImages}`,
      );
    }
    const anchors = this.anchors(batch, features);
    try {
      const head = this.forwardHead(features);
      try {
        return await body(anchors, head);
      } finally {
        head.objectness.dispose();
        head.boxDeltas.dispose();
      }
    } finally {
      anchors.dispose();
    }
  }

  #checkFeatures(features: FeatureMaps): void {
    const grids = gridSizesOf(features);
    ensure(
      grids.length === this.anchorGenerator.sizes.length,
      'INVALID_ARGUMENT',
      () =>
        `the RPN was built for ${this.anchorGenerator.sizes.length} levels but got ${grids.length} feature maps`,
    );
  }
}
