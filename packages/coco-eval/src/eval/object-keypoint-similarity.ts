import { numpySum } from '../numeric/numpy-sum';

/** np.spacing(1): the gap between 1 and the next double, 2^-52. */
export const NUMPY_EPSILON = 2 ** -52;

/**
 * Object keypoint similarity of one detection with one ground truth, as pycocotools
 * `computeOks`: with k1 > 0 labelled gt keypoints (v > 0), the mean of
 * exp(-d²/vars/(area+eps)/2) over those; with none, the distance to the gt box doubled
 * on every side, averaged over all keypoints. The detection's v is ignored.
 * @param gtKeypoints [x, y, v] * K of the ground truth
 * @param gtBoxes ground-truth boxes `[x, y, w, h]`, read at `boxOffset`
 * @param gtArea the ground truth's `area` field
 * @param variances (2 * sigma)^2 per keypoint
 * @param scratch K doubles of workspace
 */
export function objectKeypointSimilarity(
  gtKeypoints: readonly number[],
  gtBoxes: Float64Array,
  boxOffset: number,
  gtArea: number,
  dtKeypoints: readonly number[],
  variances: Float64Array,
  scratch: Float64Array,
): number {
  const count = variances.length;
  let labelled = 0;
  for (let j = 0; j < count; j++) if (gtKeypoints[3 * j + 2] > 0) labelled++;
  const scale = gtArea + NUMPY_EPSILON;
  let kept = 0;
  if (labelled > 0) {
    for (let j = 0; j < count; j++) {
      if (!(gtKeypoints[3 * j + 2] > 0)) continue;
      const dx = dtKeypoints[3 * j] - gtKeypoints[3 * j];
      const dy = dtKeypoints[3 * j + 1] - gtKeypoints[3 * j + 1];
      scratch[kept++] = Math.exp(-((dx * dx + dy * dy) / variances[j] / scale / 2));
    }
  } else {
    const x = gtBoxes[boxOffset];
    const y = gtBoxes[boxOffset + 1];
    const width = gtBoxes[boxOffset + 2];
    const height = gtBoxes[boxOffset + 3];
    const x0 = x - width;
    const x1 = x + width * 2;
    const y0 = y - height;
    const y1 = y + height * 2;
    for (let j = 0; j < count; j++) {
      const xd = dtKeypoints[3 * j];
      const yd = dtKeypoints[3 * j + 1];
      const dx = Math.max(0, x0 - xd) + Math.max(0, xd - x1);
      const dy = Math.max(0, y0 - yd) + Math.max(0, yd - y1);
      scratch[kept++] = Math.exp(-((dx * dx + dy * dy) / variances[j] / scale / 2));
    }
  }
  return numpySum(scratch, 0, kept) / kept;
}
