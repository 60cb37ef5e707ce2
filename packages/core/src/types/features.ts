import type * as tf from '@tensorflow/tfjs-core';

/** Pyramid level names: `p2` has stride 4, `p3` stride 8, ... (`pK` has stride 2^K). */
export type LevelName = `p${number}`;

/** Declared shape of one feature level (detectron2's ShapeSpec): never inferred from tensors. */
export interface FeatureSpec {
  readonly channels: number;
  readonly stride: number;
}

/** One level of a feature pyramid. */
export interface FeatureLevel {
  readonly name: LevelName;
  readonly stride: number;
  /** `[B, H, W, C]` float32, NHWC. */
  readonly tensor: tf.Tensor4D;
}

/** Feature pyramid levels ordered from finest (smallest stride) to coarsest. */
export type FeatureMaps = readonly FeatureLevel[];

/** Disposes every level's tensor. */
export function disposeFeatureMaps(features: FeatureMaps): void {
  for (const level of features) level.tensor.dispose();
}
