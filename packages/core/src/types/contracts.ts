import type * as tf from '@tensorflow/tfjs-core';
import type { Boxes } from './boxes';
import type { FeatureMaps, FeatureSpec, LevelName } from './features';
import type { ImageBatch } from './images';
import type { GroundTruth, Proposals } from './instances';

/**
 * Losses keyed by a namespaced name owned by the package that computes them
 * (`rpn/objectness`, `roiHeads/classification`, ...). Values are scalars; caller owns.
 */
export type LossRecord = Record<string, tf.Scalar>;

/** Anything holding tensors (weights) that must be released. */
export interface Disposable {
  dispose(): void;
}

/** A feature extractor: padded image batch in, feature pyramid out. */
export interface Backbone extends Disposable {
  readonly specificationVersion: 'v1';
  /** Padded input sizes must be multiples of this (32 for ResNet-FPN). */
  readonly sizeDivisibility: number;
  /** Declared channels and stride of each returned level. */
  outputSpecs(): Readonly<Record<LevelName, FeatureSpec>>;
  /** @param images `[B, H, W, 3]` float32 normalized. @returns levels fine to coarse; caller owns. */
  forward(images: tf.Tensor4D): FeatureMaps;
}

/** Produces region proposals per image (an RPN, or given boxes for Fast R-CNN). */
export interface ProposalGenerator extends Disposable {
  readonly specificationVersion: 'v1';
  /** @returns one Proposals per image, boxes in resized-image pixels; caller owns. */
  predict(batch: ImageBatch, features: FeatureMaps): Promise<Proposals[]>;
  /** Training: proposals (detached) plus this generator's losses; caller owns both. */
  loss?(
    batch: ImageBatch,
    features: FeatureMaps,
    targets: readonly GroundTruth[],
  ): Promise<{ proposals: Proposals[]; losses: LossRecord }>;
}

/** Pools fixed-size features for boxes from a pyramid (RoIAlign over FPN levels, ...). */
export interface RoiPooler {
  readonly specificationVersion: 'v1';
  /** `[outH, outW]` of each pooled region. */
  readonly outputSize: readonly [number, number];
  /**
   * @param features the pyramid (only the levels the pooler was built for are read)
   * @param boxes one `[N_i, 4]` xyxy tensor per image, in padded-batch pixels
   * @returns `[sum N_i, outH, outW, C]` float32 in input order (image 0's boxes first); caller owns
   */
  pool(features: FeatureMaps, boxes: readonly Boxes[]): tf.Tensor4D;
}
