import { RcnnError } from '../errors/rcnn-error';
import { crc32 } from '../weights/pth/crc32';
import { detectImageFormat } from './image-format';
import { readJpegFrame } from './jpeg-frame';
import { PNG_SIGNATURE, readHeader } from './png-decode';

/** Format and size of an encoded image, read from its header alone. */
export interface ImageHeader {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  /** 0 only for a JPEG whose height comes later (DNL marker); decoding tells. */
  readonly height: number;
}

/**
 * Reads the format and size of PNG or JPEG bytes without decoding pixels (microseconds,
 * no allocation): the same header checks `decodeImagePixels` starts with, so a file that
 * passes can still fail later only for damaged image data. Use it to check inputs
 * before loading a model, or to choose `fitWithin`/`resizeAbovePixels`.
 * @throws RcnnError `INVALID_IMAGE` for other formats, or a missing, corrupt or
 *   implausible header (over 100 megapixels, or larger than the file can hold)
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (!(bytes instanceof Uint8Array)) {
    throw new RcnnError('INVALID_ARGUMENT', 'readImageHeader expects the file contents as a Uint8Array');
  }
  const format = detectImageFormat(bytes);
  if (format === 'jpeg') {
    const { width, height } = readJpegFrame(bytes);
    return { format, width, height };
  }
  if (format !== 'png') {
    throw new RcnnError(
      'INVALID_IMAGE',
      format === 'unknown'
        ? `${bytes.length} bytes that are neither PNG nor JPEG`
        : `${format.toUpperCase()} images are not decoded here; convert to PNG/JPEG`,
    );
  }
  const at = PNG_SIGNATURE.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
  if (bytes.length < at + 25 || view.getUint32(at) !== 13 || type !== 'IHDR') {
    throw new RcnnError('INVALID_IMAGE', 'PNG: IHDR is not the first chunk (truncated or corrupt file)');
  }
  if (crc32(bytes.subarray(at + 4, at + 21)) !== view.getUint32(at + 21)) {
    throw new RcnnError('INVALID_IMAGE', 'PNG: chunk IHDR fails its CRC check (corrupt file)');
  }
  const { width, height } = readHeader(bytes.subarray(at + 8, at + 21));
  return { format, width, height };
}
