import * as jpeg from 'jpeg-js';
import { RcnnError } from '../errors/rcnn-error';
import { readJpegFrame } from './jpeg-frame';
import { MAX_IMAGE_PIXELS } from './png-decode';
import { type DecodedImage, type SizePlan, shrinkTo } from './shrink-to';

/**
 * What jpeg-js may allocate by its own count: every DCT coefficient as int32, component
 * planes and the RGB output, about 10.5 bytes per pixel for 4:2:0 photos and 18 for
 * 4:4:4. Real RSS is about 1.8x the count (typed-array overheads; measured 0.97 GB for a
 * 6000x5000 4:4:4 JPEG). 768 MB keeps the decode near 1.4 GB, leaving room for a model
 * under 2.5 GB: 4:2:0 JPEGs up to ~75 megapixels and 4:4:4 up to ~44 decode, larger ones
 * throw INVALID_IMAGE saying so (PNG has no such limit: it is streamed).
 */
export const JPEG_MEMORY_LIMIT_MB = 768;

/**
 * Decodes a baseline or progressive JPEG to 8-bit RGB with jpeg-js (pure JavaScript;
 * typed arrays only, no Node Buffer). Grayscale and CMYK/YCCK are converted to RGB.
 * EXIF orientation is not applied (neither PIL's `Image.open` nor torchvision's
 * `decode_jpeg` apply it). Pixel values can differ from libjpeg (PIL, torchvision) by a
 * few levels because IDCT and chroma upsampling are implemented differently.
 * jpeg-js decodes the whole image (bounded by its 100-megapixel and memory limits);
 * when `plan` asks for a smaller size the RGB rows are area-averaged into it right away
 * and the full-resolution array is dropped, before any tensor or float copy exists.
 * @param plan the output size for an image of the given size (default: the full size)
 */
export function decodeJpeg(bytes: Uint8Array, plan?: SizePlan): DecodedImage {
  readJpegFrame(bytes); // size checks before jpeg-js allocates for it
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: true, // like browsers: minor stream errors still give a picture
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: JPEG_MEMORY_LIMIT_MB,
    });
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    if (/maxMemoryUsageInMB|allocate enough memory/.test(message)) {
      throw new RcnnError(
        'INVALID_IMAGE',
        `JPEG: too large to decode within the ${JPEG_MEMORY_LIMIT_MB} MB JPEG memory limit (${message}); ` +
          'downscale it or convert it to PNG, which is decoded row by row',
        { cause: error },
      );
    }
    throw new RcnnError('INVALID_IMAGE', `JPEG: cannot decode (${message})`, { cause: error });
  }
  const { width, height, data } = decoded;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new RcnnError(
      'INVALID_IMAGE',
      `JPEG: decoder returned ${data.length} bytes for ${width}x${height}`,
    );
  }
  const target = plan?.(width, height);
  if (!target)
    return { width, height, data, originalWidth: width, originalHeight: height, scaleX: 1, scaleY: 1 };
  const shrink = shrinkTo(width, height, target);
  const rowLength = width * 3;
  for (let y = 0; y < height; y++)
    shrink.downscaler.addRow(y, data.subarray(y * rowLength, (y + 1) * rowLength));
  return shrink.finish();
}
