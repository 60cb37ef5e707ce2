import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Kernel names and their input/attribute types (the tfjs op/kernel split). Names carry an
 * `Rcnn` prefix because tfjs's kernel registry is global.
 */

/** RoIAlign over one or more feature levels: each box reads the level `levels[r]` names. */
export const RoiAlign = 'RcnnRoiAlign';
/** Gradient of {@link RoiAlign} with respect to one level's features. */
export const RoiAlignGrad = 'RcnnRoiAlignGrad';
/** RoIPool (Fast R-CNN's quantized max pool) on one feature map. */
export const RoiPool = 'RcnnRoiPool';
/** Gradient of {@link RoiPool} with respect to the features. */
export const RoiPoolGrad = 'RcnnRoiPoolGrad';

/** How a RoIAlign bin combines its sampling points. */
export type RoiPoolingMode = 'avg' | 'max';

/**
 * Inputs of {@link RoiAlign}, as an array (tfjs's Concat/AddN pattern, so the gradient can
 * save a variable number of levels): `[boxes, batchIndices, levels, features_0, ..., features_{L-1}]`
 * with `boxes [R, 4]` float32 xyxy image pixels, `batchIndices [R]` int32, `levels [R]` int32
 * (the level each box reads; a box whose level or batch index is out of range pools zeros)
 * and each `features_l` `[B, H_l, W_l, C]` float32 NHWC.
 */
export type RoiAlignInputs = TensorInfo[];

/** Position of the first features input in {@link RoiAlignInputs}. */
export const ROI_ALIGN_FIRST_LEVEL_INPUT = 3;

/** Attributes shared by {@link RoiAlign} and {@link RoiAlignGrad}. */
export interface RoiAlignAttrs {
  outputHeight: number;
  outputWidth: number;
  /** Feature-map pixels per image pixel, one per level (1 / stride). */
  spatialScales: number[];
  /** Sampling points per bin side; `<= 0` means adaptive, `ceil(roiSize / outputSize)`. */
  samplingRatio: number;
  /** `true` shifts box corners by -0.5 pixel (torchvision's `aligned=True`). */
  aligned: boolean;
  poolingMode: RoiPoolingMode;
}

/**
 * Inputs of {@link RoiAlignGrad}: `dy [R, outH, outW, C]`, the forward's `boxes`,
 * `batchIndices`, `levels`, and `features [B, H, W, C]` of the level whose gradient is
 * computed (its shape is the output's; `max` mode reads it to find each bin's argmax).
 */
export type RoiAlignGradInputs = NamedTensorInfoMap & {
  dy: TensorInfo;
  boxes: TensorInfo;
  batchIndices: TensorInfo;
  levels: TensorInfo;
  features: TensorInfo;
};

/** {@link RoiAlignAttrs} plus the level whose gradient is computed. */
export interface RoiAlignGradAttrs extends RoiAlignAttrs {
  level: number;
}

/** Inputs of {@link RoiPool}: `features [B, H, W, C]`, `boxes [R, 4]` xyxy pixels, `batchIndices [R]` int32. */
export type RoiPoolInputs = NamedTensorInfoMap & {
  features: TensorInfo;
  boxes: TensorInfo;
  batchIndices: TensorInfo;
};

/** Attributes of {@link RoiPool} and {@link RoiPoolGrad}. */
export interface RoiPoolAttrs {
  outputHeight: number;
  outputWidth: number;
  spatialScale: number;
}

/** Inputs of {@link RoiPoolGrad}: `dy [R, outH, outW, C]` plus the forward's inputs (the argmax is recomputed). */
export type RoiPoolGradInputs = RoiPoolInputs & { dy: TensorInfo };
