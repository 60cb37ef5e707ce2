import { RcnnError } from '@rcnn/core';

/** Which split an image belongs to: the two draw from unrelated random streams. */
export type SyntheticSplit = 'train' | 'val';

/** Options of the synthetic generator; everything but `seed` has a default. */
export interface SyntheticDatasetOptions {
  /** Any non-negative safe integer; the same seed (and options) gives the same bytes. */
  seed: number;
  /** Number of images (`generateSyntheticDataset`); default 100. */
  count?: number;
  /** Default 'train'. Image `i` of a split depends only on (seed, split, i, options). */
  split?: SyntheticSplit;
  /** Smallest and largest image side, pixels, each side drawn independently; default 192 and 320. */
  minImageSize?: number;
  maxImageSize?: number;
  /** Objects tried per image, drawn uniformly in [min, max]; default 1 and 8. */
  minObjects?: number;
  maxObjects?: number;
  /** Smallest object, as its circumscribed diameter in pixels; default 12. */
  minObjectSize?: number;
  /** Largest object diameter as a fraction of the shorter image side; default 0.9. */
  maxObjectFraction?: number;
  /** Kept instances show at least this many pixels; default 36. */
  minVisibleArea?: number;
  /** ...and at least this fraction of their whole area (occlusion, image border); default 0.35. */
  minVisibleFraction?: number;
  /** Background clutter pieces (lines, zigzags, rods) per image, drawn in [0, max]; default 6. */
  maxClutter?: number;
  /** Id of the first image; annotation ids start at 1. Default 1. */
  firstImageId?: number;
}

/** Options with every default filled in and checked. */
export type ResolvedSyntheticOptions = Required<SyntheticDatasetOptions>;

const DEFAULTS: Omit<ResolvedSyntheticOptions, 'seed'> = {
  count: 100,
  split: 'train',
  minImageSize: 192,
  maxImageSize: 320,
  minObjects: 1,
  maxObjects: 8,
  minObjectSize: 12,
  maxObjectFraction: 0.9,
  minVisibleArea: 36,
  minVisibleFraction: 0.35,
  maxClutter: 6,
  firstImageId: 1,
};

function check(condition: boolean, message: string): void {
  if (!condition) throw new RcnnError('INVALID_ARGUMENT', `synthetic dataset: ${message}`);
}

const isCount = (value: number, min: number) => Number.isSafeInteger(value) && value >= min;

/**
 * Fills in defaults and checks ranges.
 * @throws RcnnError `INVALID_ARGUMENT` naming the bad option
 */
export function resolveSyntheticOptions(options: SyntheticDatasetOptions): ResolvedSyntheticOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = { ...DEFAULTS, ...defined } as ResolvedSyntheticOptions;
  const o = resolved;
  check(isCount(o.seed, 0), `seed must be a non-negative safe integer, got ${o.seed}`);
  check(isCount(o.count, 0), `count must be a non-negative integer, got ${o.count}`);
  check(o.split === 'train' || o.split === 'val', `split must be 'train' or 'val', got '${o.split}'`);
  check(isCount(o.minImageSize, 16), `minImageSize must be an integer >= 16, got ${o.minImageSize}`);
  check(
    isCount(o.maxImageSize, o.minImageSize) && o.maxImageSize <= 8192,
    `maxImageSize must be an integer in [minImageSize, 8192], got ${o.maxImageSize}`,
  );
  check(isCount(o.minObjects, 0), `minObjects must be a non-negative integer, got ${o.minObjects}`);
  check(
    isCount(o.maxObjects, o.minObjects) && o.maxObjects <= 1000,
    `maxObjects must be an integer in [minObjects, 1000], got ${o.maxObjects}`,
  );
  check(
    Number.isFinite(o.minObjectSize) && o.minObjectSize >= 4,
    `minObjectSize must be >= 4, got ${o.minObjectSize}`,
  );
  check(
    o.maxObjectFraction > 0 && o.maxObjectFraction <= 1.5,
    `maxObjectFraction must be in (0, 1.5], got ${o.maxObjectFraction}`,
  );
  check(isCount(o.minVisibleArea, 1), `minVisibleArea must be a positive integer, got ${o.minVisibleArea}`);
  check(
    o.minVisibleFraction >= 0 && o.minVisibleFraction <= 1,
    `minVisibleFraction must be in [0, 1], got ${o.minVisibleFraction}`,
  );
  check(isCount(o.maxClutter, 0), `maxClutter must be a non-negative integer, got ${o.maxClutter}`);
  check(isCount(o.firstImageId, 0), `firstImageId must be a non-negative integer, got ${o.firstImageId}`);
  return resolved;
}
