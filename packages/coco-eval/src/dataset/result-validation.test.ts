import { describe, expect, it } from 'vitest';
import { CocoFormatError } from '../errors';
import { CocoEval } from '../eval/coco-eval';
import { evaluateCoco } from '../eval/evaluate-coco';
import { CocoDataset } from './coco-dataset';

const keypoints = Array.from({ length: 17 }, (_, i) => [10 + i, 20 + i, 2]).flat();
const groundTruth = CocoDataset.fromJson({
  images: [
    { id: 7, height: 20, width: 30 },
    { id: 3, height: 10, width: 10 },
  ],
  categories: [{ id: 1 }],
  annotations: [
    {
      id: 1,
      image_id: 7,
      category_id: 1,
      bbox: [1, 1, 5, 5],
      area: 25,
      iscrowd: 0,
      segmentation: [[1, 1, 6, 1, 6, 6, 1, 6]],
      keypoints,
      num_keypoints: 17,
    },
  ],
});
const good = { image_id: 7, category_id: 1, score: 0.9, bbox: [1, 1, 5, 5] };
const nulls = Array(51).fill(null);

function formatError(run: () => unknown): CocoFormatError {
  try {
    run();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(CocoFormatError);
    return error as CocoFormatError;
  }
  return expect.unreachable('accepted');
}

describe('results that pycocotools would take and then mis-score or crash on', () => {
  it.each([
    [
      'keypoints all null (keypoints-only results)',
      [good, { image_id: 3, category_id: 1, score: 0.5, keypoints: nulls }].slice(1),
      'keypoints',
      'results[0] (image_id 3).keypoints: all 51 values are null',
    ],
    [
      'keypoints all null behind a bbox (read when evaluating keypoints)',
      [
        { ...good, keypoints },
        { ...good, image_id: 3, keypoints: nulls },
      ],
      'keypoints',
      'results[1] (image_id 3).keypoints: all 51 keypoint values are null',
    ],
    [
      'one keypoint value a string',
      [{ ...good, keypoints: keypoints.map((v, i) => (i === 4 ? '20' : v)) }],
      'keypoints',
      'results[0] (image_id 7).keypoints: keypoint value 4 is "20"',
    ],
    [
      'an RLE at another size than its image (segm branch)',
      [{ image_id: 7, category_id: 1, score: 1, segmentation: { size: [30, 20], counts: [600] } }],
      'segm',
      "results[0] (image_id 7).segmentation.size: the RLE's size [30, 20] is not its image's [20, 30]",
    ],
    [
      'an RLE at another size than its image (with a bbox)',
      [good, { ...good, image_id: 3, segmentation: { size: [20, 30], counts: [600] } }],
      'segm',
      "results[1] (image_id 3).segmentation.size: the RLE's size [20, 30] is not its image's [10, 10]",
    ],
    [
      'a polygon without a bbox',
      [{ image_id: 7, category_id: 1, score: 1, segmentation: [[1, 1, 6, 1, 6, 6]] }],
      'segm',
      'results[0] (image_id 7).segmentation: a polygon segmentation needs a "bbox" too',
    ],
  ] as const)('refuses %s, naming the result', (_, results, iouType, message) => {
    const error = formatError(() => evaluateCoco(groundTruth, results, { iouType }));
    expect(error.message).toContain(message);
  });

  it('still takes the valid forms of each', () => {
    const rle = {
      image_id: 7,
      category_id: 1,
      score: 1,
      segmentation: { size: [20, 30], counts: [31, 5, 564] },
    };
    expect(evaluateCoco(groundTruth, [rle], { iouType: 'segm' }).stats).toHaveLength(12);
    const polygonWithBox = { ...good, segmentation: [[1, 1, 6, 1, 6, 6]] };
    expect(evaluateCoco(groundTruth, [polygonWithBox], { iouType: 'segm' }).stats).toHaveLength(12);
    const [ap] = evaluateCoco(groundTruth, [{ ...good, keypoints }], { iouType: 'keypoints' }).stats;
    expect(ap).toBeCloseTo(1, 12);
  });
});

describe('params validation', () => {
  it.each([
    [[5], /the bbox summary needs 3 values .* got \[5\]/],
    [[1, 10, -1], /value 2 is -1; maxDets are detections kept per image, positive whole numbers/],
    [[1, 2.5, 100], /value 1 is 2.5/],
    [[], /non-empty list/],
  ])('evaluateCoco refuses maxDets %j before evaluating', (maxDets, message) => {
    const error = formatError(() => evaluateCoco(groundTruth, [good], { iouType: 'bbox', maxDets }));
    expect(error.path).toBe('params.maxDets');
    expect(error.message).toMatch(message);
  });

  it('CocoEval.evaluate refuses bad values; fewer than 3 only fail the bbox summary, as in pycocotools', () => {
    const evaluator = new CocoEval(groundTruth, groundTruth.loadResults([good]), 'bbox');
    evaluator.params.maxDets = [0.5];
    expect(() => evaluator.evaluate()).toThrowError(/params.maxDets: value 0 is 0.5/);
    evaluator.params.maxDets = [100];
    evaluator.evaluate();
    expect(evaluator.accumulate().precision).toBeDefined();
    expect(() => evaluator.summarize()).toThrowError(CocoFormatError);
    evaluator.params.iouThrs = [0.5, 1.5];
    expect(() => evaluator.evaluate()).toThrowError(
      /params.iouThrs: must be a non-empty list of numbers in \[0, 1\]/,
    );
  });

  it('takes one maxDets value for keypoints (their summary reads 20)', () => {
    const [ap] = evaluateCoco(groundTruth, [{ ...good, keypoints }], {
      iouType: 'keypoints',
      maxDets: [20],
    }).stats;
    expect(ap).toBeCloseTo(1, 12);
  });
});
