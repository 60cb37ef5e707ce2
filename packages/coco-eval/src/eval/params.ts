import type { CocoDataset } from '../dataset/coco-dataset';
import { CocoFormatError } from '../errors';
import { linspace } from '../numeric/linspace';
import type { IouType } from '../types';

/**
 * COCOeval parameters, pycocotools `Params` with its field names (so code and papers
 * carry over). Mutable before `evaluate()`, like pycocotools.
 */
export interface EvalParams {
  iouType: IouType;
  /** Images evaluated; default: every ground-truth image id, sorted (also those without annotations). */
  imgIds: number[];
  /** Categories evaluated; default: every ground-truth category id, sorted. */
  catIds: number[];
  /** IoU (OKS) thresholds; default `np.linspace(.5, .95, 10)` (index 8 is 0.8999999999999999). */
  iouThrs: number[];
  /** Recall thresholds; default `np.linspace(0, 1, 101)` (i * 0.01, so 0.35000000000000003). */
  recThrs: number[];
  /** Detections kept per image and category; sorted by evaluate(). Default [1, 10, 100], keypoints [20]. */
  maxDets: number[];
  /** Object area ranges, both ends inclusive. */
  areaRng: [number, number][];
  areaRngLbl: string[];
  /** false evaluates all categories as one (pycocotools `useCats = 0`). */
  useCats: boolean;
  /** Per-keypoint OKS sigmas (pycocotools `kpt_oks_sigmas`), default COCO's 17 person sigmas. */
  kptOksSigmas: number[];
}

/** COCO's 17 person keypoint sigmas, divided by 10 as pycocotools does. */
export const COCO_KEYPOINT_SIGMAS: readonly number[] = [
  0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89,
].map((sigma) => sigma / 10.0);

/**
 * pycocotools' default parameters for `iouType`, with image and category ids taken
 * from the ground truth when given (sorted, as COCOeval's constructor does).
 */
export function defaultParams(iouType: IouType, groundTruth?: CocoDataset): EvalParams {
  const ascending = (ids: number[]) => [...ids].sort((a, b) => a - b);
  const keypoints = iouType === 'keypoints';
  return {
    iouType,
    imgIds: groundTruth ? ascending(groundTruth.getImageIds()) : [],
    catIds: groundTruth ? ascending(groundTruth.getCategoryIds()) : [],
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1),
    maxDets: keypoints ? [20] : [1, 10, 100],
    areaRng: keypoints
      ? [
          [0, 1e10],
          [32 ** 2, 96 ** 2],
          [96 ** 2, 1e10],
        ]
      : [
          [0, 1e10],
          [0, 32 ** 2],
          [32 ** 2, 96 ** 2],
          [96 ** 2, 1e10],
        ],
    areaRngLbl: keypoints ? ['all', 'medium', 'large'] : ['all', 'small', 'medium', 'large'],
    useCats: true,
    kptOksSigmas: [...COCO_KEYPOINT_SIGMAS],
  };
}

/**
 * Checks the parameters evaluate() reads, so a bad value fails up front with a message
 * instead of deep in the evaluation (pycocotools slices with maxDets: a fractional one
 * raises there, a negative one silently drops detections from the end).
 * @param summaryNeeded also require the 3 maxDets that the bbox/segm summary reads
 * @throws CocoFormatError with path `params.<field>`
 */
export function validateParams(params: EvalParams, summaryNeeded = false): void {
  const { maxDets } = params;
  if (!Array.isArray(maxDets) || maxDets.length === 0) {
    throw new CocoFormatError(
      `must be a non-empty list of whole numbers, got ${JSON.stringify(maxDets)}`,
      'params.maxDets',
    );
  }
  const bad = maxDets.findIndex((value) => !(Number.isSafeInteger(value) && value >= 1));
  if (bad >= 0) {
    throw new CocoFormatError(
      `value ${bad} is ${maxDets[bad]}; maxDets are detections kept per image, positive whole numbers`,
      'params.maxDets',
    );
  }
  if (summaryNeeded && params.iouType !== 'keypoints' && maxDets.length < 3) {
    throw new CocoFormatError(
      `the ${params.iouType} summary needs 3 values (pycocotools reads maxDets[0], [1] and [2], ` +
        `default [1, 10, 100]), got [${maxDets.join(', ')}]`,
      'params.maxDets',
    );
  }
  for (const field of ['iouThrs', 'recThrs'] as const) {
    const values = params[field];
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)
    ) {
      throw new CocoFormatError(`must be a non-empty list of numbers in [0, 1]`, `params.${field}`);
    }
  }
}

/** Unique values in ascending order (np.unique). */
export function uniqueSorted(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
