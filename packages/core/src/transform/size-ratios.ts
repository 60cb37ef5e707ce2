import { ensure } from '../errors/rcnn-error';
import type { ImageSize } from '../types/images';

/**
 * `[toHeight / fromHeight, toWidth / fromWidth]` as torch computes them in
 * resize_boxes / resize_keypoints: a float32 division of float32 sizes.
 */
export function sizeRatios(fromSize: ImageSize, toSize: ImageSize): [height: number, width: number] {
  for (const [name, size] of [
    ['fromSize', fromSize],
    ['toSize', toSize],
  ] as const) {
    ensure(
      Array.isArray(size) && size.length === 2 && size.every((side) => Number.isFinite(side) && side > 0),
      'INVALID_ARGUMENT',
      () => `${name} must be [height, width] with positive sides, got [${String(size)}]`,
    );
  }
  return [
    Math.fround(Math.fround(toSize[0]) / Math.fround(fromSize[0])),
    Math.fround(Math.fround(toSize[1]) / Math.fround(fromSize[1])),
  ];
}
