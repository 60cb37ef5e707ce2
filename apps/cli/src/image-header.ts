import { detectImageFormat, RcnnError } from '@rcnn/core';

/** What an image file's header says, read without decoding its pixels. */
export interface ImageHeader {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
}

function invalid(message: string): RcnnError {
  return new RcnnError('INVALID_IMAGE', message);
}

const PNG_IHDR = 0x49484452;

function pngHeader(bytes: Uint8Array): ImageHeader {
  // Signature (8), then the IHDR chunk: length 13, type, width, height, ...
  if (bytes.length < 8 + 8 + 13) throw invalid('PNG: the file ends inside its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || view.getUint32(12) !== PNG_IHDR) {
    throw invalid('PNG: the first chunk is not a 13-byte IHDR');
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0) throw invalid('PNG: image has zero width or height');
  return { format: 'png', width, height };
}

/** Start-of-frame markers: C0..CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegHeader(bytes: Uint8Array): ImageHeader {
  let offset = 2; // after SOI
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) throw invalid(`JPEG: no marker at byte ${offset}`);
    while (bytes[offset] === 0xff) offset++; // fill bytes
    const marker = bytes[offset++];
    if (marker === undefined) break;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda) throw invalid('JPEG: no frame header before the image data');
    if (offset + 2 > bytes.length) break;
    const length = (bytes[offset]! << 8) | bytes[offset + 1]!;
    if (length < 2) throw invalid(`JPEG: segment at byte ${offset} has length ${length}`);
    if (isStartOfFrame(marker)) {
      if (offset + 7 > bytes.length) break;
      const height = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
      const width = (bytes[offset + 5]! << 8) | bytes[offset + 6]!;
      if (width === 0 || height === 0) throw invalid(`JPEG: frame header gives ${width}x${height}`);
      return { format: 'jpeg', width, height };
    }
    offset += length;
  }
  throw invalid('JPEG: the file ends before its frame header');
}

/**
 * The format and size from an image file's header (PNG's IHDR, JPEG's start-of-frame), to check
 * images before any work; the pixels are decoded later.
 * @throws RcnnError `INVALID_IMAGE` saying what is wrong (not PNG or JPEG, a truncated or
 *   malformed header)
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const format = detectImageFormat(bytes);
  if (format === 'png') return pngHeader(bytes);
  if (format === 'jpeg') return jpegHeader(bytes);
  throw invalid(
    format === 'unknown'
      ? `${bytes.length} bytes that are neither PNG nor JPEG`
      : `a ${format.toUpperCase()} image; only PNG and JPEG are read (convert it first)`,
  );
}
