import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import { detectImageFormat } from './image-format';
import { decodeJpeg } from './jpeg-decode';
import { decodePng } from './png-decode';
import { type DecodedImage, type DecodeImageOptions, sizePlan } from './shrink-to';

/**
 * Decodes PNG or JPEG bytes (format detected from content) to 8-bit RGB pixels, in pure
 * JavaScript that runs in Node, browsers and workers. Alpha is dropped (not composited,
 * like PIL's `convert('RGB')`), gray and palette images are expanded to RGB, 16-bit
 * PNG samples keep their high byte.
 *
 * With `options.fitWithin` a large image is shrunk while it is decoded (area average)
 * to the size the detector's transform would resize it to; `scaleX`/`scaleY` of the
 * result map coordinates back to the file's pixels. PNG rows are streamed, so peak
 * memory is the file, the output and a few rows; JPEG is decoded whole by jpeg-js and
 * shrunk at once (see the package README for the bounds).
 * @param bytes the encoded file contents; not kept.
 * @param options optional shrinking (see `DecodeImageOptions`); default: full size.
 * @returns pixels (a new array) and the original size; `scaleX = scaleY = 1` when not shrunk.
 * @throws RcnnError `INVALID_IMAGE` for unknown, unsupported or corrupt bytes,
 *   `INVALID_ARGUMENT` for invalid options.
 */
export function decodeImagePixels(bytes: Uint8Array, options: DecodeImageOptions = {}): DecodedImage {
  if (!(bytes instanceof Uint8Array)) {
    throw new RcnnError('INVALID_ARGUMENT', 'decodeImage expects the file contents as a Uint8Array');
  }
  const plan = sizePlan(options);
  const format = detectImageFormat(bytes);
  if (format === 'png') return decodePng(bytes, plan);
  if (format === 'jpeg') return decodeJpeg(bytes, plan);
  throw new RcnnError(
    'INVALID_IMAGE',
    format === 'unknown'
      ? `${bytes.length} bytes that are neither PNG nor JPEG`
      : `${format.toUpperCase()} images are not decoded here; convert to PNG/JPEG, or in a browser ` +
          'pass an ImageBitmap (createImageBitmap(blob)) to imageToTensor',
  );
}

/**
 * Decodes PNG or JPEG bytes to an image tensor, the way `tf.browser.fromPixels` and
 * torchvision's `decode_image(..., ImageReadMode.RGB)` lay it out.
 * @param bytes the encoded file contents.
 * @param options optional shrinking while decoding (see `decodeImagePixels`, which also
 *   returns the scale factors needed to map boxes back to the file's pixels).
 * @returns Tensor3D [height, width, 3], int32 values 0..255 (tfjs has no uint8 dtype;
 *   same dtype as `tf.browser.fromPixels`); caller owns (dispose it).
 * @throws RcnnError `INVALID_IMAGE` for unknown, unsupported or corrupt bytes.
 */
export function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): tf.Tensor3D {
  const { width, height, data } = decodeImagePixels(bytes, options);
  return tf.tensor3d(Int32Array.from(data), [height, width, 3], 'int32');
}
