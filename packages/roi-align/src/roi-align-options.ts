import { ensure } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { RoiAlignAttrs, RoiPoolingMode } from './kernel-names';

/** `[height, width]` of each pooled region, or one number for a square. */
export type OutputSize = number | readonly [number, number];

/** Options of {@link roiAlign} (torchvision `roi_align`'s keyword arguments, plus `poolingMode`). */
export interface RoiAlignOptions {
  /** Pooled size `[outH, outW]` (or one number for both). */
  outputSize: OutputSize;
  /** Feature pixels per image pixel (1 / stride). Default 1. */
  spatialScale?: number;
  /** Sampling points per bin side; `<= 0` is adaptive, `ceil(roiSize / outputSize)`. Default -1 (torchvision). */
  samplingRatio?: number;
  /** Half-pixel box shift of Detectron2 / torchvision `aligned=True`. Default false (torchvision). */
  aligned?: boolean;
  /** `'avg'` (RoIAlign, torchvision) or `'max'` of the bilinear samples (mmcv's `pool_mode='max'`). Default `'avg'`. */
  poolingMode?: RoiPoolingMode;
}

/** Checks and expands an output size. */
export function resolveOutputSize(outputSize: OutputSize): [number, number] {
  const size: [number, number] =
    typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0], outputSize[1]];
  ensure(
    size.every((v) => Number.isInteger(v) && v > 0),
    'INVALID_ARGUMENT',
    () => `outputSize must be positive integers, got [${size.join(', ')}]`,
  );
  return size;
}

/** Checks `spatialScale` (finite, > 0). */
export function checkSpatialScale(spatialScale: number): number {
  ensure(
    Number.isFinite(spatialScale) && spatialScale > 0,
    'INVALID_ARGUMENT',
    () => `spatialScale must be a finite number > 0 (1 / stride), got ${spatialScale}`,
  );
  return spatialScale;
}

/** Kernel attributes from options, checked; `spatialScales` has one entry per level. */
export function roiAlignAttrs(
  options: Omit<RoiAlignOptions, 'spatialScale'>,
  spatialScales: number[],
): RoiAlignAttrs {
  const [outputHeight, outputWidth] = resolveOutputSize(options.outputSize);
  const samplingRatio = options.samplingRatio ?? -1;
  ensure(
    Number.isInteger(samplingRatio),
    'INVALID_ARGUMENT',
    () => `samplingRatio must be an integer, got ${samplingRatio}`,
  );
  const poolingMode = options.poolingMode ?? 'avg';
  ensure(
    poolingMode === 'avg' || poolingMode === 'max',
    'INVALID_ARGUMENT',
    () => `poolingMode must be 'avg' or 'max', got ${String(poolingMode)}`,
  );
  spatialScales.forEach(checkSpatialScale);
  return {
    outputHeight,
    outputWidth,
    spatialScales,
    samplingRatio,
    aligned: options.aligned ?? false,
    poolingMode,
  };
}

/** Checks `features [B, H, W, C]` float32 with H, W, C >= 1. */
export function checkFeatures(features: tf.Tensor, name = 'features'): void {
  ensure(
    features.rank === 4,
    'INVALID_SHAPE',
    () => `${name} must be [B, H, W, C] (NHWC), got shape [${features.shape.join(', ')}]`,
  );
  ensure(
    features.dtype === 'float32',
    'INVALID_ARGUMENT',
    () => `${name} must be float32, got ${features.dtype}`,
  );
  ensure(
    features.shape.slice(1).every((d) => d > 0),
    'INVALID_SHAPE',
    () => `${name} must have H, W, C >= 1, got shape [${features.shape.join(', ')}]`,
  );
}

/** Checks `boxes [R, 4]` float32 and `batchIndices [R]` int32 (one image index per box). */
export function checkBoxes(boxes: tf.Tensor, batchIndices: tf.Tensor): void {
  ensure(
    boxes.rank === 2 && boxes.shape[1] === 4,
    'INVALID_SHAPE',
    () => `boxes must be [R, 4] (x1, y1, x2, y2 image pixels), got shape [${boxes.shape.join(', ')}]`,
  );
  ensure(boxes.dtype === 'float32', 'INVALID_ARGUMENT', () => `boxes must be float32, got ${boxes.dtype}`);
  ensure(
    batchIndices.rank === 1 && batchIndices.shape[0] === boxes.shape[0],
    'INVALID_SHAPE',
    () =>
      `batchIndices must be [R] with R = ${boxes.shape[0]} (one per box), got shape [${batchIndices.shape.join(', ')}]`,
  );
  ensure(
    batchIndices.dtype === 'int32',
    'INVALID_ARGUMENT',
    () => `batchIndices must be int32 (image index of each box), got ${batchIndices.dtype}`,
  );
}
