import {
  asBoxes,
  type Boxes,
  ensure,
  type FeatureMaps,
  type ImageBatch,
  type ImageSize,
  RcnnError,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link AnchorGenerator}: one entry per pyramid level, fine to coarse. */
export interface AnchorGeneratorOptions {
  /** Anchor sizes (sqrt of area, pixels) per level. Default `[[32], [64], [128], [256], [512]]` (FPN, P2..P6). */
  readonly sizes?: readonly (readonly number[])[];
  /** Aspect ratios (height / width) per level. Default `[0.5, 1, 2]` on every level. */
  readonly aspectRatios?: readonly (readonly number[])[];
}

const FPN_SIZES = [[32], [64], [128], [256], [512]] as const;
const FPN_ASPECT_RATIOS = [0.5, 1, 2] as const;

/** Rounds half to even, like torch.round. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Anchors for every cell of every pyramid level (torchvision
 * `models/detection/anchor_utils.py::AnchorGenerator`).
 *
 * Order is torchvision's, so proposals correspond index for index: levels fine to coarse,
 * then per level row (y), column (x), anchor (ratio-major, then size). Base anchors are
 * computed in float32 and rounded half to even exactly as torchvision does; the stride of a
 * level is `floor(paddedSize / gridSize)` per axis (so a 2x2 P6 on a 96x128 batch has
 * strides 48x64, as in torchvision). Anchors are plain numbers computed on the CPU (exact),
 * then uploaded; the arrays are cached per geometry, tensors never are.
 */
export class AnchorGenerator {
  readonly sizes: readonly (readonly number[])[];
  readonly aspectRatios: readonly (readonly number[])[];
  /** Zero-centred base anchors per level, `[A * 4]` xyxy (torchvision `cell_anchors`). */
  readonly cellAnchors: readonly Float32Array[];
  readonly #cache = new Map<string, Float32Array>();

  constructor({ sizes = FPN_SIZES, aspectRatios }: AnchorGeneratorOptions = {}) {
    const ratios = aspectRatios ?? sizes.map(() => FPN_ASPECT_RATIOS);
    ensure(
      sizes.length > 0 && ratios.length === sizes.length,
      'INVALID_ARGUMENT',
      () =>
        `AnchorGenerator needs one sizes entry and one aspectRatios entry per level (got ${sizes.length} and ${ratios.length})`,
    );
    for (const [level, values] of [...sizes, ...ratios].entries()) {
      ensure(
        values.length > 0 && values.every((v) => Number.isFinite(v) && v > 0),
        'INVALID_ARGUMENT',
        () =>
          `AnchorGenerator sizes and aspect ratios must be non-empty lists of positive numbers (entry ${level})`,
      );
    }
    this.sizes = sizes.map((s) => [...s]);
    this.aspectRatios = ratios.map((r) => [...r]);
    this.cellAnchors = this.sizes.map((s, level) => baseAnchors(s, this.aspectRatios[level]!));
  }

  /** Anchors per feature-map cell on each level (`A`, the RPN head's `numAnchors`). */
  numAnchorsPerLocation(): number[] {
    return this.sizes.map((s, level) => s.length * this.aspectRatios[level]!.length);
  }

  /** Number of anchors each level contributes for the given grid sizes (`H * W * A`). */
  numAnchorsPerLevel(gridSizes: readonly ImageSize[]): number[] {
    const perLocation = this.numAnchorsPerLocation();
    return gridSizes.map(([h, w], level) => h * w * perLocation[level]!);
  }

  /**
   * Anchors as plain numbers: `[sum_l H_l * W_l * A_l, 4]` flattened, float32, xyxy pixels of the padded batch.
   * @param paddedSize `[H, W]` of the padded batch tensor
   * @param gridSizes `[H_l, W_l]` of each level, fine to coarse (one per configured level)
   */
  anchorData(paddedSize: ImageSize, gridSizes: readonly ImageSize[]): Float32Array {
    ensure(
      gridSizes.length === this.sizes.length,
      'INVALID_ARGUMENT',
      () =>
        `AnchorGenerator was built for ${this.sizes.length} levels but got ${gridSizes.length} feature maps`,
    );
    for (const [h, w] of [paddedSize, ...gridSizes]) {
      if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
        throw new RcnnError('INVALID_SHAPE', `anchor geometry needs positive integer sizes, got ${h}x${w}`);
      }
    }
    const key = `${paddedSize.join('x')}:${gridSizes.map((g) => g.join('x')).join(',')}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const total = this.numAnchorsPerLevel(gridSizes).reduce((a, b) => a + b, 0);
    const out = new Float32Array(total * 4);
    let offset = 0;
    gridSizes.forEach(([gridH, gridW], level) => {
      const strideY = Math.floor(paddedSize[0] / gridH);
      const strideX = Math.floor(paddedSize[1] / gridW);
      const cell = this.cellAnchors[level]!;
      for (let y = 0; y < gridH; y++) {
        for (let x = 0; x < gridW; x++) {
          const shiftX = x * strideX;
          const shiftY = y * strideY;
          for (let a = 0; a < cell.length; a += 4) {
            out[offset++] = shiftX + cell[a]!;
            out[offset++] = shiftY + cell[a + 1]!;
            out[offset++] = shiftX + cell[a + 2]!;
            out[offset++] = shiftY + cell[a + 3]!;
          }
        }
      }
    });
    if (this.#cache.size >= 16) this.#cache.clear(); // a few input geometries at a time is the norm
    this.#cache.set(key, out);
    return out;
  }

  /**
   * Anchors for a padded size and per-level grid sizes.
   * @returns `[sum_l H_l * W_l * A_l, 4]` float32 xyxy pixels of the padded batch; caller owns.
   */
  generate(paddedSize: ImageSize, gridSizes: readonly ImageSize[]): Boxes {
    const data = this.anchorData(paddedSize, gridSizes);
    return asBoxes(tf.tensor2d(data, [data.length / 4, 4], 'float32'));
  }

  /**
   * Anchors for a batch and its feature pyramid (only shapes are read). Every image of a batch
   * shares these anchors, as in torchvision (they live on the padded grid).
   * @returns `[numAnchors, 4]` float32 xyxy; caller owns.
   */
  forFeatures(batch: ImageBatch, features: FeatureMaps): Boxes {
    return this.generate(paddedSizeOf(batch), gridSizesOf(features));
  }
}

/** `[H, W]` of a padded batch tensor (NHWC). */
export function paddedSizeOf(batch: ImageBatch): ImageSize {
  ensure(batch.tensor.rank === 4, 'INVALID_SHAPE', () => 'ImageBatch.tensor must be [B, H, W, C]');
  return [batch.tensor.shape[1], batch.tensor.shape[2]];
}

/** `[H_l, W_l]` of every level of a pyramid (NHWC), fine to coarse. */
export function gridSizesOf(features: FeatureMaps): ImageSize[] {
  ensure(features.length > 0, 'INVALID_ARGUMENT', () => 'feature pyramid has no levels');
  return features.map((level) => {
    ensure(
      level.tensor.rank === 4,
      'INVALID_SHAPE',
      () => `feature level ${level.name} must be [B, H, W, C], got [${level.tensor.shape.join(', ')}]`,
    );
    return [level.tensor.shape[1], level.tensor.shape[2]];
  });
}

/** torchvision `generate_anchors`: float32 arithmetic, then round half to even. */
function baseAnchors(sizes: readonly number[], aspectRatios: readonly number[]): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(sizes.length * aspectRatios.length * 4);
  let offset = 0;
  for (const ratio of aspectRatios) {
    const hRatio = f(Math.sqrt(f(ratio)));
    const wRatio = f(1 / hRatio);
    for (const size of sizes) {
      const halfW = f(f(wRatio * f(size)) / 2);
      const halfH = f(f(hRatio * f(size)) / 2);
      out.set([-halfW, -halfH, halfW, halfH].map(roundHalfEven), offset);
      offset += 4;
    }
  }
  return out;
}
