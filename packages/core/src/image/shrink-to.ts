import { RcnnError } from '../errors/rcnn-error';
import { resizedImageSize } from '../transform/resized-image-size';
import { AreaDownscaler } from './area-downscaler';
import type { DecodedImage } from './rgb-image';

export type { DecodedImage } from './rgb-image';

/** Options of `decodeImagePixels` / `decodeImage`. */
export interface DecodeImageOptions {
  /**
   * `[minSize, maxSize]` of the detector's transform (torchvision's defaults are
   * `[800, 1333]`). An image larger than the size that transform would resize it to is
   * shrunk to that size (or a pixel more, so that the transform then keeps it as it
   * is: 9990x9990 becomes 800x800, not 799x799) while it is decoded (area average, see
   * `AreaDownscaler`), so the full-resolution pixels are never held; smaller images are
   * decoded at full size (the transform upsamples them as usual). Default: no shrinking.
   */
  readonly fitWithin?: readonly [minSize: number, maxSize: number];
  /**
   * Shrink only images with more than this many pixels (width x height); smaller ones
   * decode at full size and go through the model's own bilinear resize, exactly as in
   * torchvision. Default 0: every image larger than `fitWithin`.
   */
  readonly resizeAbovePixels?: number;
}

/** Output `[width, height]` for an input of `width x height`, or undefined to keep the full size. */
export type SizePlan = (width: number, height: number) => readonly [number, number] | undefined;

/** The SizePlan that `options` describe, or undefined when they ask for no shrinking. */
export function sizePlan(options: DecodeImageOptions): SizePlan | undefined {
  const { fitWithin, resizeAbovePixels = 0 } = options;
  if (fitWithin === undefined) return undefined;
  const valid = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (!Array.isArray(fitWithin) || fitWithin.length !== 2 || !fitWithin.every(valid)) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `decodeImage: fitWithin must be [minSize, maxSize], two positive numbers, got ${JSON.stringify(fitWithin)}`,
    );
  }
  if (!(typeof resizeAbovePixels === 'number' && resizeAbovePixels >= 0)) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `decodeImage: resizeAbovePixels must be >= 0, got ${resizeAbovePixels}`,
    );
  }
  const [minSize, maxSize] = fitWithin;
  return (width, height) => {
    if (width * height <= resizeAbovePixels) return undefined;
    let [fitHeight, fitWidth] = resizedImageSize([height, width], minSize, maxSize);
    if (fitWidth >= width || fitHeight >= height) return undefined;
    // float32 rounding can leave the fit a pixel short of a size the transform keeps
    // (9990x9990 -> 799x799, which it would stretch to 800x800): step to that fixed point.
    for (let step = 0; step < 3; step++) {
      const [nextHeight, nextWidth] = resizedImageSize(
        [Math.max(1, fitHeight), Math.max(1, fitWidth)],
        minSize,
        maxSize,
      );
      if ((nextHeight === fitHeight && nextWidth === fitWidth) || nextHeight > height || nextWidth > width)
        break;
      [fitHeight, fitWidth] = [nextHeight, nextWidth];
    }
    return [Math.max(1, fitWidth), Math.max(1, fitHeight)];
  };
}

/** An AreaDownscaler for `width x height` -> `target`, and the DecodedImage it makes when every row is in. */
export function shrinkTo(
  width: number,
  height: number,
  [outWidth, outHeight]: readonly [number, number],
): { downscaler: AreaDownscaler; finish: () => DecodedImage } {
  const downscaler = new AreaDownscaler(width, height, outWidth, outHeight);
  return {
    downscaler,
    finish: () => ({
      width: outWidth,
      height: outHeight,
      data: downscaler.finish(),
      originalWidth: width,
      originalHeight: height,
      scaleX: width / outWidth,
      scaleY: height / outHeight,
    }),
  };
}
