import type { TrainingSample } from '../data/training-sample';
import type { SeededRng } from '../random/seeded-rng';
import { flipHorizontal } from './horizontal-flip';
import { type RandomCropOptions, randomCrop } from './random-crop';
import { resizeSample, shortestSideSize } from './resize-sample';

/** The augmentation of each training sample (plain data, so it can be sent to decode workers). */
export interface AugmentOptions {
  /** Probability of a horizontal flip (torchvision references: 0.5). Default 0.5; 0 disables. */
  readonly flipProbability?: number;
  /** Keypoint i takes keypoint flipMap[i] on a flip (see `keypointFlipMap`); identity when absent. */
  readonly keypointFlipMap?: readonly number[];
  /** Probability of a random crop. Default 0 (off). */
  readonly cropProbability?: number;
  readonly crop?: RandomCropOptions;
  /**
   * Multi-scale training: the shortest side is resized to one of these, chosen uniformly
   * (torchvision GeneralizedRCNNTransform's `min_size` tuple in training). Off when absent.
   */
  readonly minSizes?: readonly number[];
  /** Cap on the longer side with `minSizes` (torchvision `max_size`). Default 1333. */
  readonly maxSize?: number;
}

/**
 * Applies flip, crop and multi-scale resize (in that order) with draws from `rng`, so a sample's
 * augmentation is fixed by the generator's state (reproducible and resumable).
 * @returns a new sample (or `sample` itself when nothing applied)
 */
export function augmentSample(
  sample: TrainingSample,
  options: AugmentOptions,
  rng: SeededRng,
): TrainingSample {
  let out = sample;
  if (rng.next() < (options.flipProbability ?? 0.5)) out = flipHorizontal(out, options.keypointFlipMap);
  if (rng.next() < (options.cropProbability ?? 0)) out = randomCrop(out, rng, options.crop);
  if (options.minSizes && options.minSizes.length > 0) {
    const minSize = options.minSizes[rng.int(options.minSizes.length)];
    const size = shortestSideSize(out.width, out.height, minSize, options.maxSize ?? 1333);
    if (size.width !== out.width || size.height !== out.height)
      out = resizeSample(out, size.width, size.height);
  }
  return out;
}
