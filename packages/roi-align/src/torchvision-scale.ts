/**
 * torchvision's guess of a feature map's scale (`poolers.py::_infer_scale`):
 * `2 ** round(log2(featureSize / imageSize))` from the height, where the image size is the
 * largest image of the batch. `MultiScaleRoiAlign` does not guess: it uses each level's
 * declared stride (`1 / stride`); this function exists to show the two agree.
 *
 * @param featureSize `[h, w]` of the feature map.
 * @param imageSize `[h, w]` of the largest image in the batch.
 */
export function torchvisionScale(
  featureSize: readonly [number, number],
  imageSize: readonly [number, number],
): number {
  return 2 ** Math.round(Math.log2(featureSize[0] / imageSize[0]));
}
