import { CocoDataset } from '../src/dataset/coco-dataset';
import { CocoEval } from '../src/eval/coco-eval';
import type { CocoResult, IouType } from '../src/types';
import { readFixture } from './read-fixture';

/** One run of expected.json (pycocotools' results on a fixture). */
export interface ExpectedRun {
  iouType: IouType;
  dt_transform: 'none' | 'drop_bbox' | 'keypoints_only';
  catIds: number[];
  maxDets: number[];
  stats: number[];
  summary_lines: string[];
  precision_mean_over_recall_TKAM: number[][][][];
  recall_TKAM: number[][][][];
  precision_curves: {
    iouThr_index: number[];
    areaRng_index: number;
    maxDet_index: number;
    values: number[][][];
  };
  scores_curves: { values: number[][][] };
  num_evalImgs: number;
  num_evalImgs_not_none: number;
  evalImgs?: Record<string, unknown>[];
}

export const RUN_NAMES = ['bbox', 'segm', 'keypoints', 'segm_drop_bbox', 'keypoints_only'] as const;

/** Applies a run's results transform (expected.json `transforms`) to dt.json. */
export function transformResults(
  results: CocoResult[],
  transform: ExpectedRun['dt_transform'],
): CocoResult[] {
  if (transform === 'drop_bbox') return results.map(({ bbox: _, ...rest }) => rest as CocoResult);
  if (transform === 'keypoints_only') {
    return results
      .filter((result) => result.keypoints !== undefined)
      .map(({ image_id, category_id, keypoints, score }) => ({ image_id, category_id, keypoints, score }));
  }
  return results;
}

/** Loads a fixture set and runs one expected run through CocoEval (evaluate + accumulate). */
export function runFixture(set: 'small' | 'medium', runName: (typeof RUN_NAMES)[number]) {
  const expected = readFixture<Record<string, ExpectedRun>>(`${set}/expected.json`)[runName];
  const gt = CocoDataset.fromJson(readFixture(`${set}/gt.json`));
  const results = transformResults(readFixture<CocoResult[]>(`${set}/dt.json`), expected.dt_transform);
  const evaluator = new CocoEval(gt, gt.loadResults(results), expected.iouType);
  if (expected.iouType === 'keypoints') evaluator.params.catIds = expected.catIds;
  evaluator.evaluate();
  evaluator.accumulate();
  const summary = evaluator.summarize();
  return { expected, evaluator, summary };
}
