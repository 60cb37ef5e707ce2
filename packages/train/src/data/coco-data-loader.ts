import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RcnnError } from '@rcnn/core';
import type { AugmentOptions } from '../augment/augment-sample';
import type { BatchSource } from '../loop/train';
import { SeededRng } from '../random/seeded-rng';
import type { CocoTrainingSet } from './coco-training-set';
import { DecodePool } from './decode-pool';
import { aspectRatioGroups, GroupedBatchSampler } from './grouped-batch-sampler';
import { prepareSample, type SampleTask } from './prepare-sample';
import type { TrainingSample } from './training-sample';

export interface CocoDataLoaderOptions {
  readonly set: CocoTrainingSet;
  readonly imageDirectory: string;
  readonly batchSize: number;
  /** Fixes the batch order and every augmentation draw. */
  readonly seed: number;
  readonly augment?: AugmentOptions;
  /** Build masks (default: when every instance has a segmentation). */
  readonly masks?: boolean;
  /** Build keypoints (default: when the categories name keypoints). */
  readonly keypoints?: boolean;
  /** Aspect-ratio groups factor k (torchvision `--aspect-ratio-group-factor`, default 3); -1 disables grouping. */
  readonly aspectRatioGroupFactor?: number;
  /** Decode worker threads; 0 decodes on the calling thread. Default 2. */
  readonly workers?: number;
  /** Batches prepared ahead of the one asked for. Default 2. */
  readonly prefetch?: number;
  /** The built decode worker (default: `decode-worker.js` beside this package's bundle). */
  readonly workerUrl?: URL;
}

/**
 * COCO batches for `train`: aspect-ratio grouped, seeded, augmented, decoded by worker threads
 * that work `prefetch` batches ahead so the model does not wait. Batch `i` depends only on
 * (seed, i), so a resumed run continues with exactly the data an unbroken one would have seen.
 * Falls back to decoding on the calling thread when `workers` is 0 or no built worker exists
 * (running from TypeScript sources). Call {@link close} at the end.
 */
export class CocoDataLoader implements BatchSource {
  private readonly sampler: GroupedBatchSampler;
  private readonly pool: DecodePool | undefined;
  private readonly inFlight = new Map<number, Promise<TrainingSample[]>>();
  private readonly prefetch: number;

  constructor(private readonly options: CocoDataLoaderOptions) {
    const { set } = options;
    if (set.images.length === 0)
      throw new RcnnError('INVALID_ARGUMENT', 'the training set has no images with annotations');
    const k = options.aspectRatioGroupFactor ?? 3;
    const groups = k >= 0 ? aspectRatioGroups(set.images, k) : set.images.map(() => 0);
    this.sampler = new GroupedBatchSampler(groups, options.batchSize, options.seed);
    this.prefetch = options.prefetch ?? 2;
    const workers = options.workers ?? 2;
    const url = options.workerUrl ?? new URL('./decode-worker.js', import.meta.url);
    this.pool = workers > 0 && existsSync(fileURLToPath(url)) ? new DecodePool(workers, url) : undefined;
  }

  /** Whether decoding runs in worker threads (false: on the calling thread). */
  get usesWorkers(): boolean {
    return this.pool !== undefined;
  }

  async batch(iteration: number): Promise<readonly TrainingSample[]> {
    const result = this.request(iteration);
    for (let ahead = 1; ahead <= this.prefetch; ahead++) this.request(iteration + ahead);
    for (const key of this.inFlight.keys()) if (key <= iteration) this.inFlight.delete(key);
    return result;
  }

  /** The sample tasks of batch `iteration` (exposed for tests and tools). */
  tasks(iteration: number): SampleTask[] {
    const { set, imageDirectory, augment = {} } = this.options;
    const contents = {
      masks: this.options.masks ?? set.hasMasks,
      numKeypoints: (this.options.keypoints ?? set.numKeypoints > 0) ? set.numKeypoints : 0,
    };
    return this.sampler.batch(iteration).map((index, slot) => {
      const image = set.images[index];
      const seed = SeededRng.derive(this.options.seed, iteration, slot).getState();
      return { image, path: join(imageDirectory, image.fileName), contents, augment, seed };
    });
  }

  async close(): Promise<void> {
    this.inFlight.clear();
    await this.pool?.close();
  }

  private request(iteration: number): Promise<TrainingSample[]> {
    let promise = this.inFlight.get(iteration);
    if (!promise) {
      const tasks = this.tasks(iteration);
      promise = Promise.all(tasks.map((task) => (this.pool ? this.pool.run(task) : prepareSample(task))));
      promise.catch(() => {}); // surfaced when the batch is asked for
      this.inFlight.set(iteration, promise);
    }
    return promise;
  }
}
