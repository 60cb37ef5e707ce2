import { RcnnError } from '../errors/rcnn-error';
import { MAX_IMAGE_PIXELS } from './png-decode';

/** What a JPEG's frame header (SOFn) declares. */
export interface JpegFrame {
  readonly width: number;
  readonly height: number;
  /** The SOF marker's low nibble: 0/1 baseline/extended, 2 progressive, 3 lossless, 9+ arithmetic. */
  readonly process: number;
}

function invalid(message: string): RcnnError {
  return new RcnnError('INVALID_IMAGE', `JPEG: ${message}`);
}

/**
 * Finds the frame header by walking the marker segments (never the entropy-coded data)
 * and checks the declared size before any decoder allocates for it: at most 100
 * megapixels, and no more pixels than the file's bytes can describe. Every DCT block's
 * DC coefficient takes at least one bit in some scan, so a file needs at least
 * `ceil(width / 8) * ceil(height / 8)` bits; a forged or corrupt size in a small file
 * would otherwise make jpeg-js allocate up to its memory limit.
 * @throws RcnnError `INVALID_IMAGE` for a missing, truncated or implausible frame header
 */
export function readJpegFrame(bytes: Uint8Array): JpegFrame {
  let position = 2; // after SOI
  while (position + 4 <= bytes.length) {
    if (bytes[position] !== 0xff) throw invalid(`expected a marker at byte ${position} (corrupt header)`);
    const marker = bytes[position + 1]!;
    if (marker === 0xff) {
      position++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      position += 2; // TEM, RSTn, SOI: no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) throw invalid('no frame header (SOF) before the image data');
    const length = (bytes[position + 2]! << 8) | bytes[position + 3]!;
    if (length < 2) throw invalid(`marker segment at byte ${position} has length ${length}`);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (position + 9 > bytes.length) break;
      const height = (bytes[position + 5]! << 8) | bytes[position + 6]!;
      const width = (bytes[position + 7]! << 8) | bytes[position + 8]!;
      return checkFrame({ width, height, process: marker & 0x0f }, bytes.length);
    }
    position += 2 + length;
  }
  throw invalid('file ends before the frame header (truncated)');
}

function checkFrame(frame: JpegFrame, fileBytes: number): JpegFrame {
  const { width, height } = frame;
  if (width === 0) throw invalid('the frame header declares width 0');
  if (height === 0) return frame; // height from a later DNL marker: the decoder checks it
  if (width * height > MAX_IMAGE_PIXELS) {
    throw invalid(`${width}x${height} is larger than ${MAX_IMAGE_PIXELS} pixels`);
  }
  const minimumBits = Math.ceil(width / 8) * Math.ceil(height / 8);
  if (fileBytes * 8 < minimumBits) {
    throw invalid(
      `a ${width}x${height} image needs at least ${Math.ceil(minimumBits / 8)} bytes of coded data, ` +
        `the file has ${fileBytes} (truncated, or a corrupt size in its frame header)`,
    );
  }
  return frame;
}
