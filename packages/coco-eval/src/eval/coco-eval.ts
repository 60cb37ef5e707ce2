import type { CocoDataset } from '../dataset/coco-dataset';
import type { IouType } from '../types';
import { type Accumulation, accumulateEvaluations } from './accumulate';
import { buildEvalTables } from './eval-tables';
import { evaluateImages, type ImageEvaluations } from './evaluate-images';
import { type EvalImageRecord, imageRecords } from './image-records';
import { createPairScorer } from './pair-scores';
import { defaultParams, type EvalParams, uniqueSorted, validateParams } from './params';
import { type Summary, summarizeAccumulation } from './summarize';

/**
 * COCO evaluation, number for number as pycocotools `COCOeval`:
 * `new CocoEval(gt, gt.loadResults(results), 'bbox')`, adjust `params`, then
 * `evaluate()`, `accumulate()`, `summarize()`. Works on plain arrays and typed
 * arrays only (no tensors, no Node APIs).
 */
export class CocoEval {
  /** Parameters used by the next evaluate(); pycocotools `params`. */
  params: EvalParams;
  /** Parameters evaluate() ran with (sorted, unique); pycocotools `_paramsEval`. */
  evaluatedParams: EvalParams | undefined;
  /** precision/recall/scores after accumulate(); pycocotools `eval`. */
  eval: Accumulation | undefined;
  /** The summary numbers after summarize(); pycocotools `stats`. */
  stats: number[] | undefined;
  private evaluations: ImageEvaluations | undefined;

  constructor(
    readonly groundTruth: CocoDataset,
    readonly detections: CocoDataset,
    iouType: IouType = 'segm',
  ) {
    this.params = defaultParams(iouType, groundTruth);
  }

  /**
   * Matches detections to ground truth per image, category and area range
   * (pycocotools `evaluate`). Sorts and de-duplicates imgIds/catIds and sorts maxDets first.
   * @throws CocoFormatError when an annotation lacks what the iouType needs, or for
   *   invalid params (maxDets not positive whole numbers, thresholds outside [0, 1])
   */
  evaluate(): void {
    const p = this.params;
    validateParams(p);
    p.imgIds = uniqueSorted(p.imgIds);
    if (p.useCats) p.catIds = uniqueSorted(p.catIds);
    p.maxDets = [...p.maxDets].sort((a, b) => a - b);
    const params: EvalParams = structuredClone(p);
    const tables = buildEvalTables(this.groundTruth, this.detections, params);
    const scorer = createPairScorer(tables, params, this.groundTruth, this.detections);
    this.evaluations = evaluateImages(tables, params, scorer);
    this.evaluatedParams = params;
    this.eval = undefined;
    this.stats = undefined;
    this.tables = tables;
  }

  /** Per-image records in pycocotools' `evalImgs` order and layout (null for empty cells). */
  get evalImgs(): (EvalImageRecord | null)[] {
    if (!this.evaluations || !this.evaluatedParams || !this.tables) throw new Error('call evaluate() first');
    return imageRecords(this.evaluations, this.evaluatedParams, this.tables);
  }

  /** Builds precision/recall/scores (pycocotools `accumulate`). */
  accumulate(): Accumulation {
    if (!this.evaluations || !this.evaluatedParams) throw new Error('call evaluate() first');
    this.eval = accumulateEvaluations(this.evaluations, this.evaluatedParams);
    return this.eval;
  }

  /** Computes the standard stats and the lines pycocotools prints (it does not print). */
  summarize(): Summary {
    if (!this.eval || !this.evaluatedParams) throw new Error('call accumulate() first');
    const summary = summarizeAccumulation(this.eval, this.evaluatedParams);
    this.stats = summary.stats;
    return summary;
  }

  private tables: ReturnType<typeof buildEvalTables> | undefined;
}
