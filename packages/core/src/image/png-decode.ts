import { RcnnError } from '../errors/rcnn-error';
import { crc32 } from '../weights/pth/crc32';
import { forEachPngRow } from './png-rows';
import { type PngHeader, pngPasses } from './png-scanlines';
import { type DecodedImage, type SizePlan, shrinkTo } from './shrink-to';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
/** Larger images are refused rather than risk exhausting memory (same bound as jpeg-js). */
export const MAX_IMAGE_PIXELS = 100_000_000;

const VALID_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function invalid(message: string): RcnnError {
  return new RcnnError('INVALID_IMAGE', `PNG: ${message}`);
}

/** Deflate expands at most ~1032x: a header asking for more than the data can hold is refused before allocating. */
function checkImageDataSize(header: PngHeader, parts: readonly Uint8Array[]): void {
  const compressed = parts.reduce((sum, part) => sum + part.length, 0);
  const needed = pngPasses(header).reduce((sum, pass) => sum + pass.height * (pass.rowBytes + 1), 0);
  if (needed > compressed * 1032 + 1024) {
    throw invalid(
      `${header.width}x${header.height} needs ${needed} bytes of image data, more than ${compressed} ` +
        'compressed bytes can hold (truncated, or a corrupt size in IHDR)',
    );
  }
}

/** Validates the IHDR chunk's 13 bytes. */
export function readHeader(data: Uint8Array): PngHeader {
  if (data.length !== 13) throw invalid('IHDR chunk has the wrong length');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const header = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: data[8]!,
    colorType: data[9]!,
    interlaced: data[12] === 1,
  };
  if (header.width === 0 || header.height === 0) throw invalid('image has zero width or height');
  if (header.width * header.height > MAX_IMAGE_PIXELS) {
    throw invalid(`${header.width}x${header.height} is larger than ${MAX_IMAGE_PIXELS} pixels`);
  }
  if (!VALID_DEPTHS[header.colorType]?.includes(header.bitDepth)) {
    throw invalid(`color type ${header.colorType} with bit depth ${header.bitDepth} is not valid PNG`);
  }
  if (data[10] !== 0 || data[11] !== 0 || data[12]! > 1)
    throw invalid('unknown compression, filter or interlace method');
  return header;
}

/**
 * Decodes a PNG (every color type and bit depth, Adam7 interlacing) to 8-bit RGB in
 * pure JavaScript (fflate inflates), so it runs the same in Node, browsers and workers.
 * Critical chunks are CRC-checked, ancillary ones (gamma, ICC, text) ignored, as libpng does.
 * Rows are inflated and unfiltered one at a time; when `plan` asks for a smaller size they
 * are area-averaged into it as they arrive, so the full-resolution image never exists.
 * @param plan the output size for an image of the given size (default: the full size)
 */
export function decodePng(bytes: Uint8Array, plan?: SizePlan): DecodedImage {
  if (!PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) throw invalid('signature missing');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  let palette: Uint8Array | undefined;
  const imageData: Uint8Array[] = [];
  let position = 8;
  let ended = false;
  while (!ended) {
    if (position + 12 > bytes.length) throw invalid('file ends before the IEND chunk (truncated)');
    const length = view.getUint32(position);
    const type = String.fromCharCode(...bytes.subarray(position + 4, position + 8));
    const end = position + 12 + length;
    if (length > 0x7fffffff || end > bytes.length)
      throw invalid(`chunk ${JSON.stringify(type)} is truncated`);
    const data = bytes.subarray(position + 8, position + 8 + length);
    const critical = (bytes[position + 4]! & 0x20) === 0;
    if (critical && crc32(bytes.subarray(position + 4, position + 8 + length)) !== view.getUint32(end - 4)) {
      throw invalid(`chunk ${type} fails its CRC check (corrupt file)`);
    }
    if (!header && type !== 'IHDR') throw invalid('IHDR is not the first chunk');
    if (type === 'IHDR') {
      if (header) throw invalid('more than one IHDR chunk');
      header = readHeader(data);
    } else if (type === 'PLTE') {
      if (length % 3 !== 0 || length === 0 || length > 768) throw invalid('PLTE chunk has an invalid length');
      palette = data;
    } else if (type === 'IDAT') imageData.push(data);
    else if (type === 'IEND') ended = true;
    else if (critical) throw invalid(`unknown critical chunk ${JSON.stringify(type)}`);
    position = end;
  }
  if (!header) throw invalid('IHDR missing');
  if (header.colorType === 3 && !palette) throw invalid('palette image without a PLTE chunk');
  checkImageDataSize(header, imageData);
  const { width, height } = header;
  const target = plan?.(width, height);
  if (target) {
    const shrink = shrinkTo(width, height, target);
    forEachPngRow(header, palette, imageData, (y, rgb, xStart, xStep, count) =>
      shrink.downscaler.addRow(y, rgb, xStart, xStep, count),
    );
    return shrink.finish();
  }
  const data = new Uint8Array(width * height * 3);
  forEachPngRow(header, palette, imageData, (y, rgb, xStart, xStep, count) => {
    if (xStep === 1) data.set(rgb.subarray(0, count * 3), (y * width + xStart) * 3);
    else {
      for (let k = 0; k < count; k++) {
        const out = (y * width + xStart + k * xStep) * 3;
        data[out] = rgb[k * 3]!;
        data[out + 1] = rgb[k * 3 + 1]!;
        data[out + 2] = rgb[k * 3 + 2]!;
      }
    }
  });
  return { width, height, data, originalWidth: width, originalHeight: height, scaleX: 1, scaleY: 1 };
}
