import { ensure } from '../errors/rcnn-error';
import type { ImageSize } from '../types/images';

const f32 = Math.fround;

/**
 * The size torchvision's GeneralizedRCNNTransform resizes an image to: scale so the short
 * side becomes `minSize` unless the long side would pass `maxSize`
 * (torchvision/models/detection/transform.py::_resize_image_and_masks, 0.14).
 *
 * Reproduced exactly, because a naive `Math.floor(h * min(minSize / short, maxSize / long))`
 * is off by one pixel for about 4 in 10 sizes at 800/1333: torch computes each ratio in
 * float32 as `reciprocal(side) * size` (Tensor.__rtruediv__), takes the smaller, and
 * interpolate (recompute_scale_factor=True) floors `side * scale` in float64.
 *
 * @param originalSize `[height, width]` of the input image, positive integers
 * @param minSize target short side in pixels
 * @param maxSize cap on the long side in pixels
 * @returns `[height, width]` after resizing (before padding)
 */
export function resizedImageSize(originalSize: ImageSize, minSize: number, maxSize: number): ImageSize {
  const [height, width] = originalSize;
  ensure(
    Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0,
    'INVALID_ARGUMENT',
    () => `image size must be two positive integers [height, width], got [${originalSize.join(', ')}]`,
  );
  ensure(
    minSize > 0 && maxSize > 0 && Number.isFinite(minSize) && Number.isFinite(maxSize),
    'INVALID_ARGUMENT',
    () => `minSize and maxSize must be positive, got ${minSize} and ${maxSize}`,
  );
  const shortSide = Math.min(height, width);
  const longSide = Math.max(height, width);
  const shortScale = f32(f32(1 / shortSide) * f32(minSize));
  const longScale = f32(f32(1 / longSide) * f32(maxSize));
  const scale = Math.min(shortScale, longScale);
  return [Math.floor(height * scale), Math.floor(width * scale)];
}
