import { readFile } from 'node:fs/promises';
import { type AugmentOptions, augmentSample } from '../augment/augment-sample';
import { SeededRng } from '../random/seeded-rng';
import type { TrainingImage } from './coco-training-set';
import { loadSample, type SampleContents } from './load-sample';
import type { TrainingSample } from './training-sample';

/** Everything needed to produce one training sample (plain data: it is posted to decode workers). */
export interface SampleTask {
  readonly image: TrainingImage;
  readonly path: string;
  readonly contents: SampleContents;
  readonly augment: AugmentOptions;
  /** Seed of this sample's augmentation draws (derived from the run's seed, iteration and slot). */
  readonly seed: number;
}

/** Reads, decodes and augments one sample; what decode workers run, and the synchronous fallback. */
export async function prepareSample(task: SampleTask): Promise<TrainingSample> {
  const bytes = new Uint8Array(await readFile(task.path));
  const sample = loadSample(task.image, bytes, task.contents);
  return augmentSample(sample, task.augment, new SeededRng(task.seed));
}

/** The typed arrays of a sample, for a zero-copy `postMessage` transfer list. */
export function sampleBuffers(sample: TrainingSample): ArrayBuffer[] {
  const arrays = [sample.pixels, sample.boxes, sample.labels, sample.masks, sample.keypoints];
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) if (array && array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  return [...buffers];
}
