import {
  type Boxes,
  ensure,
  type FeatureLevel,
  type FeatureMaps,
  type LevelName,
  type RoiPooler,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { assignFpnLevels } from './assign-fpn-levels';
import { roiAlignMultiLevel } from './roi-align-multi-level';
import { type OutputSize, resolveOutputSize } from './roi-align-options';

/** Options of {@link MultiScaleRoiAlign}; defaults are torchvision's Faster/Mask R-CNN box pooler. */
export interface MultiScaleRoiAlignOptions {
  /** Levels to pool from, fine to coarse, consecutive powers of two. Default `['p2', 'p3', 'p4', 'p5']`. */
  featureNames?: readonly LevelName[];
  /** Default `[7, 7]` (box head); the mask head uses `[14, 14]`. */
  outputSize?: OutputSize;
  /** Default 2 (torchvision's detection models). */
  samplingRatio?: number;
  /** Default false: torchvision's MultiScaleRoIAlign always pools with `aligned=False`. */
  aligned?: boolean;
  /** FPN level rule: a box of side `canonicalScale` goes to `canonicalLevel`. Defaults 224 and 4. */
  canonicalScale?: number;
  canonicalLevel?: number;
}

/**
 * RoIAlign over an FPN pyramid: each box is pooled from the level the FPN rule assigns it
 * (`k = floor(4 + log2(sqrt(area) / 224) + 1e-6)`, clamped to the pooler's levels), all
 * boxes in one kernel call, results in input order. Scales come from each level's declared
 * `stride` (1 / stride), checked to form a power-of-two pyramid; torchvision instead infers
 * them from the map and image sizes (see `torchvisionScale`), with the same result on a
 * well-formed pyramid.
 *
 * Matches torchvision `torchvision/ops/poolers.py::MultiScaleRoIAlign` (the pooling and its
 * gradient with respect to every level). Holds no tensors, so nothing to dispose.
 */
export class MultiScaleRoiAlign implements RoiPooler {
  readonly specificationVersion = 'v1' as const;
  readonly outputSize: readonly [number, number];
  readonly featureNames: readonly LevelName[];
  readonly samplingRatio: number;
  readonly aligned: boolean;
  readonly canonicalScale: number;
  readonly canonicalLevel: number;

  constructor(options: MultiScaleRoiAlignOptions = {}) {
    this.featureNames = options.featureNames ?? ['p2', 'p3', 'p4', 'p5'];
    ensure(
      this.featureNames.length > 0,
      'INVALID_ARGUMENT',
      () => 'featureNames must name at least one level',
    );
    this.outputSize = resolveOutputSize(options.outputSize ?? [7, 7]);
    this.samplingRatio = options.samplingRatio ?? 2;
    this.aligned = options.aligned ?? false;
    this.canonicalScale = options.canonicalScale ?? 224;
    this.canonicalLevel = options.canonicalLevel ?? 4;
  }

  /**
   * @param features the pyramid; the levels named in `featureNames` are read, each `[B, H_l, W_l, C]`. Not disposed.
   * @param boxes one `[N_i, 4]` float32 xyxy tensor per image (B of them), in padded-batch pixels. Not disposed.
   * @returns `[sum N_i, outH, outW, C]` float32, image 0's boxes first, in input order; caller owns.
   */
  pool(features: FeatureMaps, boxes: readonly Boxes[]): tf.Tensor4D {
    const levels = this.featureNames.map((name) => findLevel(features, name));
    const strides = levels.map((level) => level.stride);
    checkPyramid(this.featureNames, strides);
    const batch = levels[0]!.tensor.shape[0];
    ensure(
      boxes.length === batch,
      'INVALID_ARGUMENT',
      () => `got boxes for ${boxes.length} images but the features hold a batch of ${batch}`,
    );
    boxes.forEach((b, i) => {
      ensure(
        b.rank === 2 && b.shape[1] === 4 && b.dtype === 'float32',
        'INVALID_SHAPE',
        () => `boxes[${i}] must be [N, 4] float32 xyxy, got ${b.dtype} [${b.shape.join(', ')}]`,
      );
    });
    return tf.tidy(() => {
      const total = boxes.reduce((sum, b) => sum + b.shape[0], 0);
      // No boxes: a fresh empty tensor (tfjs-backend-cpu's concat of empties cannot be sliced).
      const allBoxes = (
        total === 0 ? tf.zeros([0, 4]) : boxes.length === 1 ? boxes[0]! : tf.concat([...boxes], 0)
      ) as tf.Tensor2D;
      const imageOf = new Int32Array(allBoxes.shape[0]);
      let offset = 0;
      boxes.forEach((b, image) => {
        imageOf.fill(image, offset, offset + b.shape[0]);
        offset += b.shape[0];
      });
      const batchIndices = tf.tensor1d(imageOf, 'int32');
      const levelIndices =
        levels.length === 1
          ? (tf.zeros([allBoxes.shape[0]], 'int32') as tf.Tensor1D)
          : assignFpnLevels(allBoxes, {
              minLevel: Math.log2(strides[0]!),
              maxLevel: Math.log2(strides[strides.length - 1]!),
              canonicalScale: this.canonicalScale,
              canonicalLevel: this.canonicalLevel,
            });
      return roiAlignMultiLevel(
        levels.map((level) => level.tensor),
        strides.map((stride) => 1 / stride),
        allBoxes,
        batchIndices,
        levelIndices,
        { outputSize: this.outputSize, samplingRatio: this.samplingRatio, aligned: this.aligned },
      );
    });
  }
}

function findLevel(features: FeatureMaps, name: LevelName): FeatureLevel {
  const level = features.find((candidate) => candidate.name === name);
  ensure(
    level !== undefined,
    'INVALID_ARGUMENT',
    () => `feature level '${name}' not found; the pyramid has [${features.map((f) => f.name).join(', ')}]`,
  );
  return level;
}

/** Declared strides must be powers of two that double from one level to the next (detectron2's check). */
function checkPyramid(names: readonly LevelName[], strides: readonly number[]): void {
  strides.forEach((stride, k) => {
    ensure(
      Number.isInteger(Math.log2(stride)) && stride >= 1,
      'INVALID_ARGUMENT',
      () => `level '${names[k]}' has stride ${stride}; strides must be powers of two`,
    );
    ensure(
      k === 0 || stride === 2 * strides[k - 1]!,
      'INVALID_ARGUMENT',
      () =>
        `levels must double in stride from fine to coarse, got strides [${strides.join(', ')}] for [${names.join(', ')}]`,
    );
  });
}
