import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticDataset } from '@rcnn/synth-data/node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CocoResult } from '../coco-results';
import { runCli, SMALL_MODEL_OPTIONS, temporaryDirectory } from '../test-support/run-cli';

// A tiny synthetic dataset (6 categories, ids 1..6) and a 7-class Mask R-CNN with the
// repository's deterministic weights: every score kept, 10 detections per image.
const COUNT = 5;
let directory: string;
let gt: string;
let images: string;
let groundTruth: { images: { id: number; width: number; height: number }[] };

const MODEL = [
  '--arch',
  'maskrcnn_resnet18_fpn',
  '--weights',
  'deterministic',
  '--num-classes',
  '7',
  ...SMALL_MODEL_OPTIONS,
];

beforeAll(async () => {
  directory = temporaryDirectory();
  const summary = await writeSyntheticDataset(join(directory, 'val'), {
    seed: 12,
    count: COUNT,
    split: 'val',
    minImageSize: 48,
    maxImageSize: 64,
    maxObjects: 3,
  });
  gt = summary.annotationFile;
  images = summary.imageDirectory;
  groundTruth = JSON.parse(readFileSync(gt, 'utf8'));
});

async function predict(name: string, ...extra: string[]): Promise<{ path: string; results: CocoResult[] }> {
  const path = join(directory, `${name}.json`);
  const { code, stderr } = await runCli('predict', ...MODEL, '--coco-results', path, '--quiet', ...extra);
  expect(code, stderr).toBe(0);
  return { path, results: JSON.parse(readFileSync(path, 'utf8')) as CocoResult[] };
}

async function evaluate(
  iouType: string,
  ...dt: string[]
): Promise<{ stats: number[]; summary_lines: string[] }> {
  return evaluateAgainst(gt, iouType, ...dt);
}

async function evaluateAgainst(
  truth: string,
  iouType: string,
  ...dt: string[]
): Promise<{ stats: number[]; summary_lines: string[] }> {
  const out = join(directory, `eval-${iouType}-${Math.random().toString(36).slice(2)}.json`);
  const args = [
    'eval',
    '--gt',
    truth,
    '--iou-type',
    iouType,
    '--json',
    out,
    ...dt.flatMap((path) => ['--dt', path]),
  ];
  const { code, stderr, stdout } = await runCli(...args);
  expect(code, stderr).toBe(0);
  expect(stdout.trimEnd().split('\n')).toHaveLength(12);
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** The dataset's images with every other detection of each image (by score) as its annotations. */
function pseudoGroundTruth(results: readonly CocoResult[]) {
  const json = JSON.parse(readFileSync(gt, 'utf8'));
  const rank = new Map<number, number>();
  json.annotations = byImage(results).flatMap((result) => {
    const k = rank.get(result.image_id) ?? 0;
    rank.set(result.image_id, k + 1);
    if (k % 2 === 1) return [];
    const [, , width, height] = result.bbox;
    const { score: _, ...annotation } = result;
    return [{ ...annotation, area: width * height, iscrowd: 0 }];
  });
  json.annotations.forEach((annotation: { id: number }, i: number) => {
    annotation.id = i + 1;
  });
  return json;
}

const byImage = (results: readonly CocoResult[]) =>
  [...results].sort((a, b) => a.image_id - b.image_id || b.score - a.score);

describe('rcnn predict --coco-results over a dataset, sharded, and rcnn eval', () => {
  let all: { path: string; results: CocoResult[] };

  beforeAll(async () => {
    all = await predict('all', '--coco-gt', gt, '--images', images);
  });

  it('writes COCO results (xywh boxes, RLE masks of the image size, GT ids) that rcnn eval takes', async () => {
    const sizes = new Map(groundTruth.images.map((image) => [image.id, image]));
    expect(all.results).toHaveLength(COUNT * 10);
    for (const result of all.results) {
      expect(Object.keys(result).sort()).toEqual([
        'bbox',
        'category_id',
        'image_id',
        'score',
        'segmentation',
      ]);
      const image = sizes.get(result.image_id)!;
      expect(image).toBeDefined();
      expect(result.category_id >= 1 && result.category_id <= 6).toBe(true);
      const [x, y, width, height] = result.bbox;
      expect(x >= 0 && y >= 0 && width >= 0 && height >= 0).toBe(true);
      expect(x + width).toBeLessThanOrEqual(image.width + 1e-3);
      expect(y + height).toBeLessThanOrEqual(image.height + 1e-3);
      expect(result.segmentation!.size).toEqual([image.height, image.width]);
    }
    for (const iouType of ['bbox', 'segm']) {
      const { stats } = await evaluate(iouType, all.path);
      expect(stats).toHaveLength(12);
      // Untrained weights: something is found (AP > 0 at some area) or nothing is; never an error.
      expect(stats.every((value) => value >= -1 && value <= 1)).toBe(true);
    }
  });

  it('--shard 1/2 + --shard 2/2 merged by rcnn eval give exactly the unsharded evaluation', async () => {
    const first = await predict('shard-1', '--coco-gt', gt, '--images', images, '--shard', '1/2');
    const second = await predict('shard-2', '--coco-gt', gt, '--images', images, '--shard', '2/2');
    const ids = groundTruth.images.map((image) => image.id).sort((a, b) => a - b);
    expect(new Set(first.results.map((r) => r.image_id))).toEqual(new Set(ids.filter((_, p) => p % 2 === 0)));
    expect(new Set(second.results.map((r) => r.image_id))).toEqual(
      new Set(ids.filter((_, p) => p % 2 === 1)),
    );
    expect(byImage([...first.results, ...second.results])).toEqual(byImage(all.results));
    // Untrained weights find none of the shapes (every AP is 0), so the runs are also
    // evaluated against ground truth made of every other detection of the unsharded run:
    // APs between 0 and 1, where any change in the merged list would show.
    const pseudo = join(directory, 'pseudo-gt.json');
    writeFileSync(pseudo, JSON.stringify(pseudoGroundTruth(all.results)));
    for (const truth of [gt, pseudo]) {
      for (const iouType of ['bbox', 'segm']) {
        const merged = await evaluateAgainst(truth, iouType, first.path, second.path);
        const whole = await evaluateAgainst(truth, iouType, all.path);
        expect(merged.stats).toEqual(whole.stats);
        expect(merged.summary_lines).toEqual(whole.summary_lines);
        if (truth === pseudo) expect(whole.stats[0]! > 0.1 && whole.stats[0]! < 1).toBe(true);
      }
    }
    const overlap = await runCli(
      'eval',
      '--gt',
      gt,
      '--iou-type',
      'bbox',
      '--dt',
      first.path,
      '--dt',
      first.path,
    );
    expect(overlap.code).toBe(1);
    expect(overlap.stderr.trimEnd()).toMatch(
      /^rcnn eval: --dt .*shard-1\.json and --dt .*shard-1\.json both have results for image_id \d+: each image must come from one file/,
    );
    expect(overlap.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--images DIR alone: ids from the numeric file names, labels as category ids, same results', async () => {
    const plain = await predict('no-gt', '--images', images);
    expect(plain.results).toEqual(all.results);
  });

  it("maps contiguous labels to the ground truth's sorted category ids", async () => {
    const json = JSON.parse(readFileSync(gt, 'utf8'));
    for (const category of json.categories) category.id *= 10;
    for (const annotation of json.annotations) annotation.category_id *= 10;
    const scaled = join(directory, 'scaled-gt.json');
    writeFileSync(scaled, JSON.stringify(json));
    const mapped = await predict('scaled', '--coco-gt', scaled, '--images', images, '--shard', '2/2');
    const second = JSON.parse(readFileSync(join(directory, 'shard-2.json'), 'utf8')) as CocoResult[];
    expect(mapped.results).toEqual(
      second.map((result) => ({ ...result, category_id: result.category_id * 10 })),
    );
  });

  it('an empty shard (more shards than images) writes an empty list that merges', async () => {
    const empty = await predict(
      'empty',
      '--coco-gt',
      gt,
      '--images',
      images,
      '--shard',
      `${COUNT + 1}/${COUNT + 1}`,
    );
    expect(empty.results).toEqual([]);
    const merged = await evaluate('bbox', all.path, empty.path);
    expect(merged.stats).toEqual((await evaluate('bbox', all.path)).stats);
  });
});

describe('rcnn predict dataset-mode usage errors', () => {
  it.each([
    [['--shard', '0/2'], /--shard must be I\/N with whole numbers 1 <= I <= N \(e\.g\. 1\/4\), got '0\/2'/],
    [['--shard', '3/2'], /--shard must be I\/N .*got '3\/2'/],
    [['--shard', '1/0'], /--shard must be I\/N .*got '1\/0'/],
    [['--shard', 'a/b'], /--shard must be I\/N .*got 'a\/b'/],
    [['--shard', '1/2/3'], /--shard must be I\/N .*got '1\/2\/3'/],
    [['--shard', '1.5/2'], /--shard must be I\/N .*got '1\.5\/2'/],
    [['--coco-gt', 'x.json'], /--coco-gt needs --images DIR/],
    [['--image', 'a.png', '--images', '.'], /give --image files or an --images directory, not both/],
    [[], /missing --image FILE or --images DIR/],
  ])('%j is one clear line, exit 2', async (extra, message) => {
    const out = join(temporaryDirectory(), 'r.json');
    const { code, stderr } = await runCli('predict', ...MODEL, '--coco-results', out, ...extra);
    expect(code).toBe(2);
    const [first, ...rest] = stderr.trimEnd().split('\n');
    expect(first).toMatch(message);
    expect(rest).toEqual(["Run 'rcnn predict --help' for usage."]);
  });

  it('refuses a run without --out-json or --coco-results, and an empty --images directory', async () => {
    const none = await runCli('predict', ...MODEL, '--images', images);
    expect([none.code, none.stderr.split('\n')[0]]).toEqual([
      2,
      'rcnn predict: missing --out-json FILE or --coco-results FILE',
    ]);
    const empty = temporaryDirectory();
    const out = join(empty, 'r.json');
    const nothing = await runCli('predict', ...MODEL, '--images', empty, '--coco-results', out);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/^rcnn predict: --images .* has no \.png, \.jpg or \.jpeg files\n$/);
  });
});
