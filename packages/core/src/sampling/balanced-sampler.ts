import { ensure } from '../errors/rcnn-error';
import { createSeededRandom } from './seeded-random';

/** Indices chosen for one image, ascending (the order torchvision's mask + `where` gives). */
export interface SampledIndices {
  /** Chosen positive elements (label >= 1). */
  readonly positive: Int32Array;
  /** Chosen negative elements (label == 0). */
  readonly negative: Int32Array;
}

/**
 * Chooses which labelled elements (anchors, proposals) train a stage. Implement it to inject
 * fixed indices (tests) or another sampling rule (OHEM, ...).
 */
export interface PositiveNegativeSampler {
  /**
   * @param labelsPerImage per image, one label per element: `>= 1` positive, `0` negative,
   *   anything else (`-1`) ignored. Plain arrays: sampling runs on the host after one read-back.
   * @returns one {@link SampledIndices} per image.
   */
  sample(labelsPerImage: readonly ArrayLike<number>[]): SampledIndices[];
}

/** Options of {@link BalancedSampler}. */
export interface BalancedSamplerOptions {
  /** Elements chosen per image at most (RPN: 256; RoI heads: 512). */
  readonly batchSizePerImage: number;
  /** Target fraction of positives (RPN: 0.5; RoI heads: 0.25). */
  readonly positiveFraction: number;
  /** Uniform source in [0, 1). Default: {@link createSeededRandom}(0), so runs are reproducible. */
  readonly random?: () => number;
}

/**
 * torchvision `models/detection/_utils.py::BalancedPositiveNegativeSampler`: per image takes
 * `min(#positives, floor(batchSize * positiveFraction))` positives at random, then fills the rest of
 * the batch with random negatives (as many as exist). Same counts and distribution as torchvision;
 * the draws come from the injected `random` (a partial Fisher-Yates shuffle), not torch's RNG.
 */
export class BalancedSampler implements PositiveNegativeSampler {
  readonly batchSizePerImage: number;
  readonly positiveFraction: number;
  readonly #random: () => number;

  constructor({ batchSizePerImage, positiveFraction, random }: BalancedSamplerOptions) {
    ensure(
      Number.isInteger(batchSizePerImage) && batchSizePerImage >= 0,
      'INVALID_ARGUMENT',
      () => `batchSizePerImage must be a non-negative integer, got ${batchSizePerImage}`,
    );
    ensure(
      positiveFraction >= 0 && positiveFraction <= 1,
      'INVALID_ARGUMENT',
      () => `positiveFraction must be in [0, 1], got ${positiveFraction}`,
    );
    this.batchSizePerImage = batchSizePerImage;
    this.positiveFraction = positiveFraction;
    this.#random = random ?? createSeededRandom(0);
  }

  sample(labelsPerImage: readonly ArrayLike<number>[]): SampledIndices[] {
    return labelsPerImage.map((labels) => {
      const positives: number[] = [];
      const negatives: number[] = [];
      for (let i = 0; i < labels.length; i++) {
        const label = labels[i]!;
        if (label >= 1) positives.push(i);
        else if (label === 0) negatives.push(i);
      }
      const numPositive = Math.min(
        positives.length,
        Math.floor(this.batchSizePerImage * this.positiveFraction),
      );
      const numNegative = Math.min(negatives.length, this.batchSizePerImage - numPositive);
      return {
        positive: this.#choose(positives, numPositive),
        negative: this.#choose(negatives, numNegative),
      };
    });
  }

  /** `count` distinct entries of `pool` chosen uniformly, returned ascending. */
  #choose(pool: number[], count: number): Int32Array {
    for (let i = 0; i < count; i++) {
      const j = Math.min(pool.length - 1, i + Math.floor(this.#random() * (pool.length - i)));
      const chosen = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = chosen;
    }
    return Int32Array.from(pool.slice(0, count)).sort();
  }
}
