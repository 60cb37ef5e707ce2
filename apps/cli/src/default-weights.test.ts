import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { rleFromJson, rleIou } from '@rcnn/coco-eval';
import { encodePng } from '@rcnn/core';
import { sampleImageSpecifier } from '@rcnn/default-model';
import { generateSyntheticDataset, unitShapeArea } from '@rcnn/synth-data';
import { describe, expect, it } from 'vitest';
import { defaultWeightsPath } from './default-weights';
import { runCli, temporaryDirectory } from './test-support/run-cli';

interface CocoResult {
  image_id: number;
  category_id: number;
  score: number;
  segmentation: { size: [number, number]; counts: string };
}

/**
 * Pictures the default model never saw: synth-data seed 11 (training used seed 1), val
 * split, in the samples' size range. Checked: every object at least 16 px on each side
 * with at least half of its shape visible (occlusion and the picture's edge hide the rest);
 * slivers are not asked for.
 */
const dataset = generateSyntheticDataset({
  seed: 11,
  count: 8,
  split: 'val',
  minImageSize: 256,
  maxImageSize: 320,
});
const checked = dataset.images.flatMap((image) =>
  image.objects.flatMap((object) => {
    const { placed, area, bbox } = object;
    const visible = area / (unitShapeArea(placed.shape, placed.innerRatio) * placed.radius ** 2);
    return visible >= 0.5 && Math.min(bbox[2], bbox[3]) >= 16
      ? [{ imageId: image.id, visible, ...object }]
      : [];
  }),
);

describe('the default model (@rcnn/default-model)', () => {
  it('is in this install and names its classes', () => {
    expect(defaultWeightsPath()).toMatch(/default-model[/\\]model[/\\]rcnn-shapes\.safetensors$/);
  });

  it('rcnn predict without --weights finds the objects of generated pictures: score >= 0.7, mask IoU >= 0.8', async () => {
    const directory = temporaryDirectory();
    for (const image of dataset.images) {
      writeFileSync(join(directory, image.fileName), encodePng(image.pixels, image.width, image.height));
    }
    writeFileSync(join(directory, 'instances.json'), JSON.stringify(dataset.coco));
    const results = join(directory, 'results.json');
    const run = await runCli(
      'predict',
      '--coco-gt',
      join(directory, 'instances.json'),
      '--images',
      directory,
      '--coco-results',
      results,
      '--quiet',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const detections = JSON.parse(readFileSync(results, 'utf8')) as CocoResult[];
    const misses = checked.flatMap((truth) => {
      const truthRle = rleFromJson(truth.segmentation as CocoResult['segmentation']);
      const candidates = detections.filter(
        (d) => d.image_id === truth.imageId && d.category_id === truth.categoryId && d.score >= 0.7,
      );
      const best = Math.max(
        0,
        ...candidates.map((d) => rleIou([rleFromJson(d.segmentation)], [truthRle])[0]!),
      );
      return best >= 0.8 ? [] : [{ image: truth.imageId, shape: truth.shape, visible: truth.visible, best }];
    });
    // Objects in full view (95 % of the shape or more): every one is found.
    const whole = checked.filter((truth) => truth.visible >= 0.95);
    expect(whole.length).toBeGreaterThanOrEqual(20);
    expect(misses.filter((miss) => miss.visible >= 0.95)).toEqual([]);
    // Partly hidden ones (50-95 % in view; the mask must follow the occluder's edge) are
    // harder: at least half are found (6 of 9 at this writing).
    const partlyHidden = checked.length - whole.length;
    expect(partlyHidden).toBeGreaterThanOrEqual(6);
    expect(misses.length).toBeLessThanOrEqual(Math.floor(partlyHidden / 2));
  }, 120_000);

  it('draws and counts only detections scoring 0.5 or more unless --draw-score-thresh says otherwise; the JSON keeps all', async () => {
    const directory = temporaryDirectory();
    const sample = createRequire(import.meta.url).resolve(sampleImageSpecifier('shapes-2.png'));
    const predict = (name: string, ...extra: string[]) =>
      runCli(
        'predict',
        '--image',
        sample,
        '--out-json',
        join(directory, `${name}.json`),
        '--out-image',
        join(directory, `${name}.png`),
        ...extra,
      );
    const confident = await predict('default');
    expect(confident.code).toBe(0);
    // The per-image line counts by class what is drawn.
    expect(confident.stderr).toMatch(
      /shapes-2\.png: \d+ instances, [\d.]+ s; scoring >= 0\.5: \d+ (disc|square|triangle|star|ring|cross)(, \d+ \w+)*\n/,
    );
    expect((await predict('all', '--draw-score-thresh', '0')).code).toBe(0);
    const read = (file: string) => readFileSync(join(directory, file));
    expect(read('all.json').equals(read('default.json'))).toBe(true);
    const [{ instances }] = JSON.parse(read('default.json').toString()) as [
      { instances: { score: number }[] },
    ];
    expect(instances.some((instance) => instance.score < 0.5)).toBe(true);
    expect(read('all.png').equals(read('default.png'))).toBe(false);
    const bad = await predict('bad', '--draw-score-thresh', '1.5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--draw-score-thresh must be a number from 0 to 1, got '1.5'");
  }, 120_000);
});
