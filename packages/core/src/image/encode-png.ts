import { zlibSync } from 'fflate';
import { RcnnError } from '../errors/rcnn-error';
import { crc32 } from '../weights/pth/crc32';
import { PNG_SIGNATURE } from './png-decode';

const COLOR_TYPES: Record<number, number> = { 1: 0, 3: 2, 4: 6 };

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes 8-bit pixels as a PNG file (pure JavaScript, fflate deflate; no Node Buffer).
 * @param pixels `height * width * channels` bytes, row-major, interleaved; channels
 *   (1 gray, 3 RGB, 4 RGBA) are inferred from the length.
 * @returns the PNG file bytes (a new array; `pixels` is not kept).
 */
export function encodePng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  const valid = (n: number) => Number.isSafeInteger(n) && n > 0 && n <= 0x7fffffff;
  if (!valid(width) || !valid(height)) {
    throw new RcnnError('INVALID_ARGUMENT', `encodePng: invalid size ${width}x${height}`);
  }
  const channels = pixels.length / (width * height);
  const colorType = COLOR_TYPES[channels];
  if (colorType === undefined) {
    throw new RcnnError(
      'INVALID_SHAPE',
      `encodePng: ${pixels.length} bytes is not ${width}x${height} pixels of 1, 3 or 4 channels`,
    );
  }
  const rowBytes = width * channels;
  const filtered = new Uint8Array(height * (rowBytes + 1)); // filter byte 0 (None) before each row
  for (let y = 0; y < height; y++)
    filtered.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, colorType, 0, 0, 0], 8);
  const parts = [
    Uint8Array.from(PNG_SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', zlibSync(filtered, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
