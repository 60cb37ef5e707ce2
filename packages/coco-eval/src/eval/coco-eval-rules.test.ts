import { describe, expect, it } from 'vitest';
import { CocoDataset } from '../dataset/coco-dataset';
import { numpyMean } from '../numeric/numpy-sum';
import type { CocoResult, IouType } from '../types';
import { CocoEval } from './coco-eval';
import { evaluateCoco } from './evaluate-coco';

/** One 100x100 image, category 1, the given boxes as ground truth (area = w*h unless given). */
function dataset(boxes: { id: number; bbox: number[]; iscrowd?: number; area?: number }[]) {
  return CocoDataset.fromJson({
    images: [{ id: 1, height: 100, width: 100 }],
    categories: [{ id: 1 }, { id: 2 }],
    annotations: boxes.map(({ id, bbox, iscrowd = 0, area }) => ({
      id,
      image_id: 1,
      category_id: 1,
      bbox,
      iscrowd,
      area: area ?? bbox[2] * bbox[3],
      segmentation: [
        [
          bbox[0],
          bbox[1],
          bbox[0] + bbox[2],
          bbox[1],
          bbox[0] + bbox[2],
          bbox[1] + bbox[3],
          bbox[0],
          bbox[1] + bbox[3],
        ],
      ],
    })),
  });
}

function run(gt: CocoDataset, results: CocoResult[], iouType: IouType = 'bbox') {
  const evaluator = new CocoEval(gt, gt.loadResults(results), iouType);
  evaluator.evaluate();
  evaluator.accumulate();
  return { evaluator, summary: evaluator.summarize() };
}

const detection = (bbox: number[], score: number, category_id = 1): CocoResult => ({
  image_id: 1,
  category_id,
  bbox,
  score,
});

describe('COCOeval rules copied from pycocotools', () => {
  it('a perfect detection gives AP 1 (less 2^-52: precision is tp / (tp + fp + eps))', () => {
    const { evaluator, summary } = run(dataset([{ id: 1, bbox: [10, 10, 20, 20] }]), [
      detection([10, 10, 20, 20], 0.9),
    ]);
    expect(summary.stats[0]).toBe(0.9999999999999998);
    expect(evaluator.eval!.recall[0]).toBe(1);
  });

  it('matches at IoU >= threshold (an exact 0.5 counts at 0.5)', () => {
    // Box IoU exactly 0.5: 20x20 gt, detection 20x10 inside it.
    const { evaluator } = run(dataset([{ id: 1, bbox: [0, 0, 20, 20] }]), [detection([0, 0, 20, 10], 0.9)]);
    const [record] = evaluator.evalImgs.filter((r) => r !== null);
    expect(record!.dtMatches[0]).toEqual([1]);
    expect(record!.dtMatches[1]).toEqual([0]);
  });

  it('equal IoUs: the later gt in the sorted order wins', () => {
    const { evaluator } = run(
      dataset([
        { id: 5, bbox: [0, 0, 10, 10] },
        { id: 6, bbox: [0, 0, 10, 10] },
      ]),
      [detection([0, 0, 10, 10], 0.9)],
    );
    expect(evaluator.evalImgs[0]!.dtMatches[0]).toEqual([6]);
  });

  it('a crowd region absorbs any number of detections, which are then ignored', () => {
    const { evaluator, summary } = run(
      dataset([
        { id: 1, bbox: [0, 0, 50, 50], iscrowd: 1 },
        { id: 2, bbox: [60, 60, 20, 20] },
      ]),
      [detection([0, 0, 10, 10], 0.9), detection([20, 20, 10, 10], 0.8), detection([60, 60, 20, 20], 0.7)],
    );
    const record = evaluator.evalImgs[0]!;
    expect(record.gtIds).toEqual([2, 1]);
    expect(record.dtMatches[0]).toEqual([1, 1, 2]);
    expect(record.dtIgnore[0]).toEqual([1, 1, 0]);
    // 101 recall thresholds at 1 / (1 + eps), averaged with numpy's pairwise sum.
    expect(summary.stats[1]).toBe(numpyMean(Array(101).fill(1 / (1 + 2 ** -52))));
  });

  it('a gt with id 0 counts as unmatched (pycocotools stores matches as ids)', () => {
    const { summary } = run(dataset([{ id: 0, bbox: [0, 0, 10, 10] }]), [detection([0, 0, 10, 10], 0.9)]);
    expect(summary.stats[0]).toBe(0);
  });

  it('no detections: 0 where there is ground truth, -1 where there is none', () => {
    const gt = dataset([{ id: 1, bbox: [0, 0, 10, 10] }]);
    const evaluator = new CocoEval(gt, gt.loadResults([]), 'bbox');
    evaluator.evaluate();
    evaluator.accumulate();
    const { stats } = evaluator.summarize();
    expect(stats).toEqual([0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1]);
  });

  it('useCats = false pools categories; catIds and maxDets are honoured', () => {
    const gt = dataset([{ id: 1, bbox: [0, 0, 10, 10] }]);
    const results = [detection([0, 0, 10, 10], 0.9, 2)];
    expect(run(gt, results).summary.stats[0]).toBe(0);
    const pooled = new CocoEval(gt, gt.loadResults(results), 'bbox');
    pooled.params.useCats = false;
    pooled.evaluate();
    pooled.accumulate();
    expect(pooled.summarize().stats[0]).toBe(0.9999999999999998);
    const { stats } = evaluateCoco(gt, results, { iouType: 'bbox', catIds: [2], maxDets: [100, 1, 10] });
    expect(stats[0]).toBe(-1);
  });

  it('segm evaluation of box results uses the box polygon and the box area', () => {
    const gt = dataset([{ id: 1, bbox: [10, 10, 20, 20] }]);
    const { summary } = run(gt, [detection([10, 10, 20, 20], 0.9)], 'segm');
    expect(summary.stats[0]).toBe(0.9999999999999998);
  });

  it('summarize needs evaluate and accumulate first, and 3 maxDets for boxes', () => {
    const gt = dataset([{ id: 1, bbox: [0, 0, 10, 10] }]);
    const evaluator = new CocoEval(gt, gt.loadResults([detection([0, 0, 10, 10], 1)]), 'bbox');
    expect(() => evaluator.accumulate()).toThrow(/evaluate\(\) first/);
    expect(() => evaluator.summarize()).toThrow(/accumulate\(\) first/);
    evaluator.params.maxDets = [100];
    evaluator.evaluate();
    evaluator.accumulate();
    expect(() => evaluator.summarize()).toThrow(/needs 3 maxDets/);
  });

  it('keypoints: OKS with the gt area; num_keypoints = 0 gts are ignored', () => {
    const keypoints = Array.from({ length: 17 }, (_, i) => [10 + i, 20 + i, 2]).flat();
    const gt = CocoDataset.fromJson({
      images: [{ id: 1, height: 100, width: 100 }],
      categories: [{ id: 1 }],
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          bbox: [10, 20, 16, 16],
          area: 2000,
          iscrowd: 0,
          keypoints,
          num_keypoints: 17,
        },
        {
          id: 2,
          image_id: 1,
          category_id: 1,
          bbox: [60, 60, 10, 10],
          area: 2000,
          iscrowd: 0,
          keypoints: Array(51).fill(0),
          num_keypoints: 0,
        },
      ],
    });
    const { evaluator, summary } = run(
      gt,
      [{ image_id: 1, category_id: 1, keypoints, score: 1 }],
      'keypoints',
    );
    expect(summary.lines).toHaveLength(10);
    expect(summary.stats[0]).toBe(0.9999999999999998);
    expect(evaluator.evalImgs[0]!.gtIgnore).toEqual([0, 1]);
  });
});
