import type { Disposable, FeatureMaps, GroundTruth, Instances, LossRecord, RoiPooler } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { RoiSamples } from '../samples/build-roi-samples';
import type { BranchContext } from './branch-context';

/**
 * What a branch adds to each image's detections at inference; new tensors, caller owns.
 * `maskScores` (Mask Scoring R-CNN: class score x predicted MaskIoU) has no field in core's
 * `Instances` yet.
 */
export type BranchPrediction = Partial<Pick<Instances, 'masks' | 'keypoints' | 'keypointScores'>> & {
  readonly maskScores?: tf.Tensor1D;
};

/** Inputs of {@link RoiHeadBranch.loss}: one training step's sampled RoIs. */
export interface BranchLossInputs {
  /** The pyramid; not disposed. */
  readonly features: FeatureMaps;
  /** Per image, the sampled RoIs ({@link buildRoiSamples}); not disposed. Branches train on the positives. */
  readonly samples: readonly RoiSamples[];
  /** Per image ground truth (masks / keypoints as the branch needs); not disposed. */
  readonly targets: readonly GroundTruth[];
  /** Shared with later branches of the same step; the caller disposes it after the last branch. */
  readonly context: BranchContext;
}

/**
 * One extra task on top of the box branch (conventions.md #12; detectron2's
 * `forward_with_given_boxes`): mask, keypoint, MaskIoU, or a user's own. Branches run in
 * order: at inference each sees the detections with earlier branches' fields merged in; in
 * training each can read what earlier ones stored in the {@link BranchContext}.
 */
export interface RoiHeadBranch extends Disposable {
  readonly specificationVersion: 'v1';
  /** Unique within a detector: `mask`, `keypoint`, `maskIou`, ... */
  readonly name: string;
  /** Pools this branch's RoI features (e.g. 14x14 RoIAlign over p2..p5); shared, not owned. */
  readonly pooler: RoiPooler;
  /**
   * @param detections per image, final boxes (resized-image pixels) and labels, with earlier branches' fields
   * @returns per image, this branch's new fields; caller owns
   */
  predict(features: FeatureMaps, detections: readonly Instances[]): Promise<BranchPrediction[]>;
  /**
   * Synchronous (so it can run inside `tf.variableGrads`) and differentiable in the weights.
   * @returns this branch's losses under its namespaced keys; caller owns
   */
  loss(inputs: BranchLossInputs): LossRecord;
  /** The weights an optimizer should update. */
  trainableVariables(): tf.Variable[];
}
