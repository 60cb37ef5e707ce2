import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { CocoDataset, CocoFormatError } from '@rcnn/coco-eval';
import { createLabelMap, type LabelMap } from '@rcnn/train';
import { CliError, type CliIo } from './command';
import type { OptionSpecs } from './parse-arguments';
import { shown } from './terminal-text';

/** `rcnn predict`'s dataset-mode options. */
export const DATASET_OPTION_SPECS: OptionSpecs = {
  images: {
    type: 'string',
    value: 'DIR',
    description:
      'every .png/.jpg/.jpeg directly in DIR (sorted by name), or the --coco-gt images found in DIR',
  },
  'coco-gt': {
    type: 'string',
    value: 'FILE',
    description:
      'COCO instances.json: its images (ids, file names in --images DIR) and categories (labels -> category ids)',
  },
  shard: {
    type: 'string',
    value: 'I/N',
    description:
      'only the images at positions p (0-based, id order) with p mod N = I - 1; N runs cover all once',
  },
  'coco-results': {
    type: 'string',
    value: 'FILE',
    description:
      'write COCO results [{ image_id, category_id, bbox (xywh), score, segmentation?, keypoints? }]',
  },
};

/** `--shard I/N`: this process takes shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The images one `rcnn predict` run works on, with their COCO image ids. */
export interface ImageSource {
  /** Paths, in id order for dataset mode (as given for `--image`), after sharding. */
  readonly paths: string[];
  /** COCO image id of each path. */
  readonly imageIds: number[];
  /** Images before sharding. */
  readonly total: number;
  /** The ground truth's label map (`--coco-gt`): category ids sorted, as `@rcnn/train` records it. */
  readonly labelMap?: LabelMap;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/**
 * Parses `--shard I/N` (whole numbers, 1 <= I <= N).
 * @throws CliError exit code 2, one line naming the value
 */
export function parseShard(text: string, command: string): Shard {
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(text.trim());
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new CliError(
      `${command}: --shard must be I/N with whole numbers 1 <= I <= N (e.g. 1/4), got '${shown(text)}'`,
      2,
    );
  }
  return { index, count };
}

/**
 * Which images shard `shard` takes: the image at position `p` (0-based) of the id-sorted list
 * goes to shard `p mod N + 1`, so N shards cover every image exactly once and each run of the
 * same list picks the same images.
 * @returns the positions (into `imageIds`) this shard keeps, in id order
 */
export function shardPositions(imageIds: readonly number[], shard: Shard | undefined): number[] {
  const order = imageIds.map((_, position) => position).sort((a, b) => imageIds[a]! - imageIds[b]!);
  return shard ? order.filter((_, p) => p % shard.count === shard.index - 1) : order;
}

/**
 * Ids for images without ground truth: each file name's stem when every stem is a distinct
 * whole number (COCO's `000000397133.jpg` is image 397133), else the 1-based position.
 */
export function imageIdsFromNames(paths: readonly string[]): number[] {
  const stems = paths.map((path) => basename(path, extname(path)));
  const numeric = stems.map((stem) => (/^\d{1,15}$/.test(stem) ? Number(stem) : Number.NaN));
  const distinct = new Set(numeric).size === numeric.length;
  if (distinct && numeric.every(Number.isSafeInteger)) return numeric;
  return paths.map((_, i) => i + 1);
}

/** The PNG and JPEG files directly in `directory`, sorted by name. */
async function listImages(directory: string, command: string): Promise<string[]> {
  let entries: { name: string; isDirectory(): boolean }[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : code;
    throw new CliError(`${command}: cannot read --images ${shown(directory)}: ${reason ?? error}`, 1);
  }
  const names = entries
    .filter((entry) => !entry.isDirectory() && IMAGE_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) {
    throw new CliError(`${command}: --images ${shown(directory)} has no .png, .jpg or .jpeg files`, 1);
  }
  return names.map((name) => join(directory, name));
}

async function readGroundTruth(io: CliIo, path: string, command: string): Promise<CocoDataset> {
  let json: unknown;
  try {
    json = JSON.parse(await io.readFile(path));
  } catch (error) {
    throw new CliError(`${command}: cannot read --coco-gt ${shown(path)}: ${(error as Error).message}`, 1);
  }
  try {
    return CocoDataset.fromJson(json);
  } catch (error) {
    if (error instanceof CocoFormatError) {
      throw new CliError(
        `${command}: --coco-gt ${shown(path)} is not COCO ground truth: ${error.message}`,
        1,
      );
    }
    throw error;
  }
}

/**
 * The run's images: `--image` files as given, every PNG/JPEG in `--images DIR` (sorted by
 * name), or `--coco-gt`'s image list with file names resolved in `--images DIR`; then the
 * `--shard`'s part of them.
 * @throws CliError for a wrong combination of flags or unreadable inputs
 */
export async function resolveImageSource(
  io: CliIo,
  options: Record<string, unknown>,
  image: readonly string[],
  command: string,
): Promise<ImageSource> {
  const text = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const given = { image, images: text('images'), cocoGt: text('coco-gt'), shard: text('shard') };
  const shard = given.shard === undefined ? undefined : parseShard(given.shard, command);
  if (given.image.length > 0 && given.images !== undefined) {
    throw new CliError(`${command}: give --image files or an --images directory, not both`, 2);
  }
  if (given.cocoGt !== undefined && given.images === undefined) {
    throw new CliError(`${command}: --coco-gt needs --images DIR (where its file_name entries are)`, 2);
  }
  if (given.image.length === 0 && given.images === undefined) {
    throw new CliError(`${command}: missing --image FILE or --images DIR`, 2);
  }
  let paths: string[];
  let imageIds: number[];
  let labelMap: LabelMap | undefined;
  if (given.cocoGt !== undefined) {
    const groundTruth = await readGroundTruth(io, given.cocoGt, command);
    if (groundTruth.images.length === 0) {
      throw new CliError(`${command}: --coco-gt ${shown(given.cocoGt)} lists no images`, 1);
    }
    paths = groundTruth.images.map((image) => join(given.images!, String(image.file_name)));
    imageIds = groundTruth.images.map((image) => image.id);
    try {
      labelMap = createLabelMap(groundTruth.categories);
    } catch (error) {
      throw new CliError(`${command}: --coco-gt ${shown(given.cocoGt)}: ${(error as Error).message}`, 1);
    }
  } else {
    paths = given.images !== undefined ? await listImages(given.images, command) : [...given.image];
    imageIds = imageIdsFromNames(paths);
  }
  const kept =
    given.images === undefined && !shard ? paths.map((_, i) => i) : shardPositions(imageIds, shard);
  return {
    paths: kept.map((p) => paths[p]!),
    imageIds: kept.map((p) => imageIds[p]!),
    total: paths.length,
    ...(labelMap ? { labelMap } : {}),
  };
}
