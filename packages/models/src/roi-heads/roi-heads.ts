import {
  BoxCoder,
  type Boxes,
  ensure,
  type FeatureMaps,
  type GroundTruth,
  type ImageSize,
  type LossRecord,
  validateInstances,
} from '@rcnn/core';
import { type BoxBranch, matcherRoiSampler, type RoiHeadBranch, type RoiSampler } from '@rcnn/heads';
import { postprocessDetections } from '@rcnn/postprocess';
import * as tf from '@tensorflow/tfjs-core';
import { type DetectorInstances, disposeDetections } from '../detector-instances';
import { type HasWeightSlots, hasWeightSlots, type WeightSlot } from '../weights/weight-slot';
import { BRANCH_PREDICT_CHUNK, predictBranchInChunks } from './predict-branch-in-chunks';
import { roiHeadsLoss } from './roi-heads-loss';
import { checkRoiPadding, dropPaddedRows, padProposals, type RoiPadding } from './roi-padding';

/** Options of {@link RoiHeads}: built parts are injected; scalars default to torchvision's. */
export interface RoiHeadsOptions {
  /** Pooler + box head + predictor; owned by the RoI heads from here on. */
  readonly box: BoxBranch;
  /** Extra branches run in order on the kept boxes (mask, keypoint, MaskIoU, your own); owned. Default none. */
  readonly branches?: readonly RoiHeadBranch[];
  /** Decodes the box deltas. Default `new BoxCoder({ weights: [10, 10, 5, 5] })` (torchvision `bbox_reg_weights`). */
  readonly boxCoder?: BoxCoder;
  /** Keep class scores strictly above this (torchvision `box_score_thresh`, 0.05). */
  readonly scoreThresh?: number;
  /** Per-class NMS IoU threshold (`box_nms_thresh`, 0.5). */
  readonly nmsThresh?: number;
  /** Detections kept per image (`box_detections_per_img`, 100). */
  readonly detectionsPerImage?: number;
  /** Training: proposal matching and sampling (default {@link matcherRoiSampler}: 0.5 / 0.5, 512, 0.25). */
  readonly sampler?: RoiSampler;
  /** Inference: pad RoI counts for stable shapes on GPU backends ({@link RoiPadding}). Default none. */
  readonly roiPadding?: RoiPadding;
}

/**
 * The second stage of a two-stage detector (torchvision `models/detection/roi_heads.py::RoIHeads`,
 * inference): the box branch on the proposals, `@rcnn/postprocess`'s `postprocessDetections`
 * (softmax, per-class decoding, clipping, score threshold, per-class NMS, top-k), then each extra
 * branch on the kept boxes, its fields merged into the detections (conventions.md #12).
 *
 * It lives in `@rcnn/models`, not `@rcnn/heads`, because it composes heads with postprocessing,
 * and stage packages never import each other.
 *
 * Training: {@link RoiHeads.loss} (see `roi-heads-loss.ts`).
 */
export class RoiHeads implements HasWeightSlots {
  readonly box: BoxBranch;
  readonly branches: readonly RoiHeadBranch[];
  readonly boxCoder: BoxCoder;
  readonly scoreThresh: number;
  readonly nmsThresh: number;
  readonly detectionsPerImage: number;
  readonly sampler: RoiSampler;
  readonly roiPadding: RoiPadding | undefined;

  constructor({
    box,
    branches = [],
    boxCoder = new BoxCoder({ weights: [10, 10, 5, 5] }),
    scoreThresh = 0.05,
    nmsThresh = 0.5,
    detectionsPerImage = 100,
    sampler = matcherRoiSampler(),
    roiPadding,
  }: RoiHeadsOptions) {
    if (roiPadding) checkRoiPadding(roiPadding);
    const names = branches.map((branch) => branch.name);
    ensure(
      new Set(names).size === names.length,
      'INVALID_ARGUMENT',
      () => `RoiHeads: branch names must be unique, got [${names.join(', ')}]`,
    );
    ensure(
      Number.isInteger(detectionsPerImage) && detectionsPerImage >= 0,
      'INVALID_ARGUMENT',
      () => `RoiHeads: detectionsPerImage must be a non-negative integer, got ${detectionsPerImage}`,
    );
    this.box = box;
    this.branches = [...branches];
    this.boxCoder = boxCoder;
    this.scoreThresh = scoreThresh;
    this.nmsThresh = nmsThresh;
    this.detectionsPerImage = detectionsPerImage;
    this.sampler = sampler;
    this.roiPadding = roiPadding;
  }

  /**
   * @param features the pyramid (levels the poolers read); not disposed
   * @param proposals per image `[N_i, 4]` float32 xyxy in resized-image pixels; not disposed
   * @param imageSizes per image `[height, width]` after resizing (boxes are clipped to it)
   * @returns per image boxes `[D, 4]` (resized-image pixels), scores `[D]` decreasing, labels `[D]`
   *   int32, plus each branch's fields (`masks [D, 28, 28]` probabilities of the label's class,
   *   `keypoints [D, K, 3]`, `keypointScores [D, K]`, ...); caller owns (`disposeDetections`).
   *   Branches run on at most `BRANCH_PREDICT_CHUNK` (100) detections per image at a time, so
   *   memory stays bounded for large `detectionsPerImage`; results equal one unchunked call.
   */
  async predict(
    features: FeatureMaps,
    proposals: readonly Boxes[],
    imageSizes: readonly ImageSize[],
  ): Promise<DetectorInstances[]> {
    ensure(
      proposals.length === imageSizes.length && proposals.length > 0,
      'INVALID_ARGUMENT',
      () => `RoiHeads.predict: ${proposals.length} proposal sets for ${imageSizes.length} image sizes`,
    );
    const { classLogits, boxRegression } = this.#boxForward(features, proposals);
    let detections: DetectorInstances[];
    try {
      detections = await postprocessDetections({
        classLogits,
        boxRegression,
        proposals,
        imageSizes,
        boxCoder: this.boxCoder,
        scoreThresh: this.scoreThresh,
        nmsThresh: this.nmsThresh,
        detectionsPerImage: this.detectionsPerImage,
      });
    } finally {
      tf.dispose([classLogits, boxRegression]);
    }
    try {
      for (const branch of this.branches) {
        const predictions = await predictBranchInChunks(
          branch,
          features,
          detections,
          BRANCH_PREDICT_CHUNK,
          this.roiPadding?.detections,
        );
        detections = detections.map((detection, i) => {
          const added = predictions[i] ?? {};
          // A branch that recomputes a field replaces it; the old tensor goes.
          for (const key of Object.keys(added) as (keyof typeof added)[]) {
            const previous = detection[key];
            if (previous && previous !== added[key]) previous.dispose();
          }
          const merged: DetectorInstances = { ...detection, ...added };
          validateInstances(merged);
          return merged;
        });
      }
      return detections;
    } catch (error) {
      disposeDetections(detections);
      throw error;
    }
  }

  /** The box branch on the proposals, padded per {@link roiPadding} (outputs cut back to the real rows). */
  #boxForward(features: FeatureMaps, proposals: readonly Boxes[]): ReturnType<BoxBranch['forward']> {
    const multiple = this.roiPadding?.proposals;
    if (multiple === undefined) return this.box.forward(features, proposals);
    const padded = padProposals(proposals, multiple);
    const counts = proposals.map((boxes) => boxes.shape[0]);
    try {
      const { classLogits, boxRegression } = this.box.forward(features, padded);
      return {
        classLogits: dropPaddedRows(classLogits, counts, multiple),
        boxRegression: dropPaddedRows(boxRegression, counts, multiple),
      };
    } finally {
      tf.dispose(padded);
    }
  }

  /**
   * Training losses on the proposals (torchvision `RoIHeads.forward` in training): GT appended,
   * matched and sampled by {@link sampler}, then the box branch's and every branch's losses.
   * @param proposals per image `[P_i, 4]` xyxy, resized-image pixels (detached here); not disposed
   * @param targets per image ground truth in resized-image pixels; not disposed
   * @returns namespaced loss scalars; caller owns
   */
  loss(
    features: FeatureMaps,
    proposals: readonly Boxes[],
    targets: readonly GroundTruth[],
  ): Promise<LossRecord> {
    return roiHeadsLoss(this, features, proposals, targets);
  }

  /**
   * Box head and predictor, then each branch's modules (a branch implementing `weightSlots()`
   * decides its own; otherwise its `head` and `predictor` give theirs, as `@rcnn/heads` modules
   * do under their torchvision prefixes).
   */
  weightSlots(): WeightSlot[] {
    const slots: WeightSlot[] = [...this.box.head.weightSlots(), ...this.box.predictor.weightSlots()];
    for (const branch of this.branches) {
      if (hasWeightSlots(branch)) {
        slots.push(...branch.weightSlots());
        continue;
      }
      const { head, predictor } = branch as { head?: unknown; predictor?: unknown };
      for (const module of [head, predictor]) if (hasWeightSlots(module)) slots.push(...module.weightSlots());
    }
    return slots;
  }

  /** Disposes the box branch and every branch (their weights; poolers hold none). */
  dispose(): void {
    this.box.dispose();
    for (const branch of this.branches) branch.dispose();
  }
}
