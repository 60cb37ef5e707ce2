import { CocoDataset, type CocoResult, evaluateCoco } from '@rcnn/coco-eval';
import { describe, expect, it } from 'vitest';
import {
  categoryIdOf,
  STAR_KEYPOINT_FLIP_MAP,
  STAR_KEYPOINT_NAMES,
  STAR_KEYPOINT_SIGMAS,
} from './categories';
import { generateSyntheticDataset } from './generate-dataset';

// Ground truth evaluated against itself as results (score 1) must be perfect: every
// annotation is a valid COCO record that coco-eval (pycocotools-exact) reads back intact.
describe.each(['train', 'val'] as const)('%s split through @rcnn/coco-eval', (split) => {
  const { coco } = generateSyntheticDataset({ seed: 5, count: 30, split });
  const annotations = coco.annotations ?? [];
  const asResults = (keep: (categoryId: number) => boolean, fields: (keyof CocoResult)[]): CocoResult[] =>
    annotations
      .filter((annotation) => keep(annotation.category_id))
      .map((annotation) => {
        const result: CocoResult = {
          image_id: annotation.image_id,
          category_id: annotation.category_id,
          score: 1,
        };
        for (const field of fields) result[field] = annotation[field] as never;
        return result;
      });

  it('loads as a COCO dataset with every category and keypoint metadata', () => {
    const dataset = CocoDataset.fromJson(coco);
    expect(dataset.getImageIds()).toHaveLength(30);
    expect(annotations.length).toBeGreaterThan(60);
    const star = coco.categories?.find((category) => category.id === categoryIdOf('star'));
    expect(star?.keypoints).toEqual([...STAR_KEYPOINT_NAMES]);
    expect(star?.skeleton?.flat().every((i) => i >= 1 && i <= STAR_KEYPOINT_NAMES.length)).toBe(true);
  });

  it.each(['bbox', 'segm'] as const)('%s AP of the ground truth against itself is 1', (iouType) => {
    const results = asResults(() => true, [iouType === 'bbox' ? 'bbox' : 'segmentation']);
    const { stats } = evaluateCoco(coco, results, { iouType });
    expect(stats[0]).toBe(1); // AP @[.5:.95]
    expect(stats[1]).toBe(1); // AP @.5
    expect(stats[8]).toBe(1); // AR @100
  });

  it('keypoint AP of the ground truth against itself is 1 (star, its own sigmas)', () => {
    const starId = categoryIdOf('star');
    const results = asResults((id) => id === starId, ['keypoints']);
    expect(results.length).toBeGreaterThan(3);
    const { stats } = evaluateCoco(coco, results, {
      iouType: 'keypoints',
      catIds: [starId],
      kptOksSigmas: [...STAR_KEYPOINT_SIGMAS],
    });
    expect(stats[0]).toBe(1);
  });
});

describe('keypoint flip map', () => {
  it('is an involution that swaps each left_ keypoint with its right_ twin (the map derived from names)', () => {
    const names: readonly string[] = STAR_KEYPOINT_NAMES;
    const fromNames = names.map((name) => {
      const partner = name.replace(/^(left|right)_/, (side) => (side === 'left_' ? 'right_' : 'left_'));
      return names.includes(partner) ? names.indexOf(partner) : names.indexOf(name);
    });
    expect(fromNames).toEqual(STAR_KEYPOINT_FLIP_MAP);
    expect(STAR_KEYPOINT_FLIP_MAP.map((j) => STAR_KEYPOINT_FLIP_MAP[j])).toEqual(names.map((_, i) => i));
    expect(names.filter((name) => /^(left|right)_/.test(name))).toHaveLength(4);
  });
});
