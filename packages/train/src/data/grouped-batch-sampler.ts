import { RcnnError } from '@rcnn/core';
import { SeededRng } from '../random/seeded-rng';

/**
 * Aspect-ratio group of each image, as torchvision references/detection/group_by_aspect_ratio.py
 * `create_aspect_ratio_groups`: the group of `width / height` is its bin among `2 ** linspace(-1, 1, 2k + 1)`
 * (`bisect_right`), so 2k + 2 groups.
 */
export function aspectRatioGroups(sizes: readonly { width: number; height: number }[], k = 3): number[] {
  const bins = Array.from({ length: 2 * k + 1 }, (_, i) => 2 ** (-1 + (2 * i) / (2 * k)));
  return sizes.map(({ width, height }) => {
    const ratio = width / height;
    let group = 0; // bisect_right(bins, ratio)
    while (group < bins.length && bins[group] <= ratio) group++;
    return group;
  });
}

/**
 * Batches of indices in which all images share an aspect-ratio group (torchvision `GroupedBatchSampler`),
 * drawn from a seeded shuffle of every epoch, endlessly: batch `b` is a pure function of (seed, b),
 * so a resumed run gets exactly the batches an unbroken one would. A group's leftover indices at an
 * epoch's end carry into the next epoch.
 */
export class GroupedBatchSampler {
  private readonly cache: number[][] = [];
  private readonly pending = new Map<number, number[]>();
  private epoch = 0;

  constructor(
    private readonly groups: readonly number[],
    readonly batchSize: number,
    private readonly seed: number,
  ) {
    if (groups.length === 0) throw new RcnnError('INVALID_ARGUMENT', 'no images to sample batches from');
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RcnnError('INVALID_ARGUMENT', `batch size must be a positive integer, got ${batchSize}`);
    }
  }

  /** The image indices of batch `b` (0-based). */
  batch(b: number): readonly number[] {
    while (this.cache.length <= b) this.nextEpoch();
    return this.cache[b];
  }

  private nextEpoch(): void {
    const rng = SeededRng.derive(this.seed, 0x5a3, this.epoch++);
    const order = rng.shuffle(Array.from(this.groups, (_, i) => i));
    for (const index of order) {
      const group = this.groups[index];
      const buffer = this.pending.get(group) ?? [];
      buffer.push(index);
      if (buffer.length === this.batchSize) {
        this.cache.push(buffer);
        this.pending.set(group, []);
      } else {
        this.pending.set(group, buffer);
      }
    }
    // A dataset smaller than a batch in every group would never yield: fall back to mixed groups.
    if (this.cache.length === 0 && this.epoch > 2) {
      const all = [...this.pending.values()].flat();
      this.pending.clear();
      for (let i = 0; i + this.batchSize <= all.length; i += this.batchSize)
        this.cache.push(all.slice(i, i + this.batchSize));
      if (this.cache.length === 0)
        this.cache.push(Array.from({ length: this.batchSize }, (_, i) => all[i % all.length]));
    }
  }
}
