import { createLabelMap } from '@rcnn/train';
import { describe, expect, it } from 'vitest';
import { categoryIdMapper, toCocoResults } from './coco-results';
import { CliError } from './command';
import { imageIdsFromNames, parseShard, shardPositions } from './dataset-images';
import { mergeResults } from './merge-results';

describe('--shard', () => {
  it('parses I/N and splits id-sorted positions modulo N, covering every image once', () => {
    expect(parseShard('2/3', 'x')).toEqual({ index: 2, count: 3 });
    const ids = [42, 7, 13, 100, 8, 9, 1];
    const shards = [1, 2, 3].map((index) => shardPositions(ids, { index, count: 3 }).map((p) => ids[p]));
    // id order 1 7 8 9 13 42 100: positions 0,3,6 / 1,4 / 2,5
    expect(shards).toEqual([
      [1, 9, 100],
      [7, 13],
      [8, 42],
    ]);
    expect(shardPositions(ids, undefined).map((p) => ids[p])).toEqual([1, 7, 8, 9, 13, 42, 100]);
  });

  it.each(['0/1', '2/1', '1/0', '1', '/2', '1/2/3', '-1/2', '1.0/2', ' ', 'a/b'])('refuses %j', (text) => {
    expect(() => parseShard(text, 'rcnn predict')).toThrow(CliError);
    expect(() => parseShard(text, 'rcnn predict')).toThrow(/^rcnn predict: --shard must be I\/N/);
  });
});

describe('image ids without ground truth', () => {
  it('are the numeric file names when all are distinct numbers, else positions', () => {
    expect(imageIdsFromNames(['d/000000397133.jpg', 'd/000000000139.jpg'])).toEqual([397133, 139]);
    expect(imageIdsFromNames(['d/1.png', 'd/cat.png'])).toEqual([1, 2]);
    expect(imageIdsFromNames(['a/5.png', 'b/5.jpg'])).toEqual([1, 2]);
  });
});

describe('category ids of labels', () => {
  const map = createLabelMap([
    { id: 30, name: 'c' },
    { id: 10, name: 'a' },
    { id: 20, name: 'b' },
  ]);

  it("maps label i to @rcnn/train's i-th sorted category id when the class counts match", () => {
    const of = categoryIdMapper(4, map, 'x');
    expect([1, 2, 3].map(of)).toEqual([10, 20, 30]);
  });

  it('keeps labels as ids without ground truth or for a model with more classes than the ids', () => {
    expect(categoryIdMapper(91, undefined, 'x')(18)).toBe(18);
    expect(categoryIdMapper(91, map, 'x')(20)).toBe(20);
  });

  it('refuses a model whose classes fit neither', () => {
    expect(() => categoryIdMapper(7, map, 'rcnn predict')).toThrow(
      /^rcnn predict: the model has 7 classes .* --coco-gt has 3 categories \(ids up to 30\).*--num-classes 4$/,
    );
  });

  it('writes xywh boxes, the mask as segmentation and flat keypoints with v = 1', () => {
    const mask = { size: [4, 5] as [number, number], counts: 'abc' };
    const [result] = toCocoResults(
      7,
      [{ box: [1.5, 2, 4.25, 3], score: 0.9, label: 2, mask, keypoints: [[1, 2, 0.3]] }],
      (label) => label * 10,
    );
    expect(result).toEqual({
      image_id: 7,
      category_id: 20,
      bbox: [1.5, 2, 2.75, 1],
      score: 0.9,
      segmentation: mask,
      keypoints: [1, 2, 1],
    });
  });
});

describe('merging results files', () => {
  it('concatenates shards in order, and refuses an image found in two files', () => {
    const a = [{ image_id: 1 }, { image_id: 1 }, { image_id: 3 }];
    const b = [{ image_id: 2 }];
    expect(mergeResults(['a', 'b'], [a, b], 'e')).toEqual([...a, ...b]);
    expect(mergeResults(['a', 'b'], [a, []], 'e')).toEqual(a);
    expect(() => mergeResults(['a', 'b'], [a, [{ image_id: 3 }]], 'rcnn eval')).toThrow(
      'rcnn eval: --dt a and --dt b both have results for image_id 3: each image must come from one file (overlapping shards?)',
    );
    expect(() => mergeResults(['a', 'b'], [a, { image_id: 2 }], 'rcnn eval')).toThrow(
      'rcnn eval: --dt b is not a results list (a JSON array)',
    );
  });
});
