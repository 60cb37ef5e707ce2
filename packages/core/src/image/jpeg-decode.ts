import * as jpeg from 'jpeg-js';
import { RcnnError } from '../errors/rcnn-error';
import { MAX_IMAGE_PIXELS } from './png-decode';
import type { RgbImage } from './rgb-image';

/**
 * Decodes a baseline or progressive JPEG to 8-bit RGB with jpeg-js (pure JavaScript;
 * typed arrays only, no Node Buffer). Grayscale and CMYK/YCCK are converted to RGB.
 * EXIF orientation is not applied (neither PIL's `Image.open` nor torchvision's
 * `decode_jpeg` apply it). Pixel values can differ from libjpeg (PIL, torchvision) by a
 * few levels because IDCT and chroma upsampling are implemented differently.
 */
export function decodeJpeg(bytes: Uint8Array): RgbImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: true, // like browsers: minor stream errors still give a picture
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 2048,
    });
  } catch (error) {
    throw new RcnnError('INVALID_IMAGE', `JPEG: cannot decode (${(error as Error)?.message ?? error})`, {
      cause: error,
    });
  }
  const { width, height, data } = decoded;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new RcnnError(
      'INVALID_IMAGE',
      `JPEG: decoder returned ${data.length} bytes for ${width}x${height}`,
    );
  }
  return { width, height, data };
}
