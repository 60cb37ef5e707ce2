import type { CocoDataset } from '../dataset/coco-dataset';
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

/** Unique values in ascending order (np.unique). */
export function uniqueSorted(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
