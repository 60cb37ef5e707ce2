import { CocoDataset } from '../dataset/coco-dataset';
import type { IouType } from '../types';
import { CocoEval } from './coco-eval';
import { defaultParams, type EvalParams, validateParams } from './params';

/** Options of `evaluateCoco`; any `EvalParams` field overrides pycocotools' default. */
export interface EvaluateCocoOptions extends Partial<Omit<EvalParams, 'iouType'>> {
  iouType: IouType;
}

/** Everything one evaluation produces: stats, printed lines, and the evaluator for the arrays. */
export interface CocoEvaluationResult {
  stats: number[];
  lines: string[];
  evaluator: CocoEval;
}

/**
 * One call for the usual flow: `COCO(gt)`, `loadRes(results)`, `COCOeval`, evaluate,
 * accumulate, summarize.
 * @param groundTruth a CocoDataset or the parsed ground-truth JSON
 * @param results a results CocoDataset or the parsed results list
 * @throws CocoFormatError on malformed input or options (e.g. fewer than 3 maxDets for
 *   bbox/segm, whose summary reads three), before any evaluation work
 */
export function evaluateCoco(
  groundTruth: CocoDataset | unknown,
  results: CocoDataset | unknown,
  options: EvaluateCocoOptions,
): CocoEvaluationResult {
  validateParams({ ...defaultParams(options.iouType), ...stripUndefined(options) }, true);
  const gt = groundTruth instanceof CocoDataset ? groundTruth : CocoDataset.fromJson(groundTruth);
  const dt = results instanceof CocoDataset ? results : gt.loadResults(results);
  const evaluator = new CocoEval(gt, dt, options.iouType);
  const { iouType: _, ...overrides } = options;
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (evaluator.params as unknown as Record<string, unknown>)[key] = value;
  }
  evaluator.evaluate();
  evaluator.accumulate();
  const { stats, lines } = evaluator.summarize();
  return { stats, lines, evaluator };
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
