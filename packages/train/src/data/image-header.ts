import { detectImageFormat } from '@rcnn/core';

/**
 * Width and height from a PNG or JPEG header (PNG IHDR; JPEG's first SOF marker), without
 * decoding pixels; `undefined` when the bytes are neither or the header is cut short.
 * The format is judged by `@rcnn/core`'s `detectImageFormat` (content, not file name).
 */
export function readImageHeader(
  bytes: Uint8Array,
): { format: 'png' | 'jpeg'; width: number; height: number } | undefined {
  const format = detectImageFormat(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    // signature (8), IHDR length (4) and type (4), then width, height as big-endian uint32
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
    return { format, width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (format !== 'jpeg') return undefined;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = view.getUint16(offset + 2);
    // SOF0..SOF15 except DHT (c4), JPG (c8), DAC (cc)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (offset + 9 > bytes.length) return undefined;
      return { format, height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data before any frame header
    offset += 2 + length;
  }
  return undefined;
}
