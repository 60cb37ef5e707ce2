import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import { detectImageFormat } from './image-format';
import { decodeJpeg } from './jpeg-decode';
import { decodePng } from './png-decode';
import type { RgbImage } from './rgb-image';

/**
 * Decodes PNG or JPEG bytes (format detected from content) to 8-bit RGB pixels, in pure
 * JavaScript that runs in Node, browsers and workers. Alpha is dropped (not composited,
 * like PIL's `convert('RGB')`), gray and palette images are expanded to RGB, 16-bit
 * PNG samples keep their high byte.
 * @throws RcnnError `INVALID_IMAGE` for unknown, unsupported or corrupt bytes.
 */
export function decodeImagePixels(bytes: Uint8Array): RgbImage {
  if (!(bytes instanceof Uint8Array)) {
    throw new RcnnError('INVALID_ARGUMENT', 'decodeImage expects the file contents as a Uint8Array');
  }
  const format = detectImageFormat(bytes);
  if (format === 'png') return decodePng(bytes);
  if (format === 'jpeg') return decodeJpeg(bytes);
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
 * @returns Tensor3D [height, width, 3], int32 values 0..255 (tfjs has no uint8 dtype;
 *   same dtype as `tf.browser.fromPixels`); caller owns (dispose it).
 * @throws RcnnError `INVALID_IMAGE` for unknown, unsupported or corrupt bytes.
 */
export function decodeImage(bytes: Uint8Array): tf.Tensor3D {
  const { width, height, data } = decodeImagePixels(bytes);
  return tf.tensor3d(Int32Array.from(data), [height, width, 3], 'int32');
}
