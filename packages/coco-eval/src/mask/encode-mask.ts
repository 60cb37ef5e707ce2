import { CocoFormatError } from '../errors';
import { checkMaskSize, type Rle } from './rle';

/** Memory order of a dense mask: `row-major` is `mask[y * width + x]` (ImageData, tensors). */
export type MaskOrder = 'row-major' | 'column-major';

/**
 * Run-length encodes a binary mask (maskApi.c `rleEncode`, pycocotools `mask.encode`).
 * Any non-zero value is foreground.
 * @param mask `height * width` values; `order` says how they are laid out
 *   (pycocotools wants column-major, a Fortran-ordered array)
 * @returns runs in COCO's column-major order; the caller owns it
 */
export function encodeMask(
  mask: ArrayLike<number>,
  height: number,
  width: number,
  order: MaskOrder = 'row-major',
): Rle {
  checkMaskSize(height, width);
  const pixels = height * width;
  if (mask.length !== pixels) {
    throw new CocoFormatError(`mask has ${mask.length} values, expected ${height}x${width} = ${pixels}`);
  }
  const runs: number[] = [];
  let previous = false;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const on = (order === 'row-major' ? mask[y * width + x] : mask[x * height + y]) !== 0;
      if (on !== previous) {
        runs.push(run);
        run = 0;
        previous = on;
      }
      run++;
    }
  }
  runs.push(run);
  return { height, width, counts: Uint32Array.from(runs) };
}

/**
 * Expands an RLE to a dense 0/1 mask (maskApi.c `rleDecode`, pycocotools `mask.decode`).
 * @returns `height * width` bytes in `order`; the caller owns it
 */
export function decodeMask(rle: Rle, order: MaskOrder = 'row-major'): Uint8Array {
  const { height, width, counts } = rle;
  const mask = new Uint8Array(height * width);
  let pixel = 0;
  let value = 0;
  for (let i = 0; i < counts.length; i++) {
    const end = Math.min(pixel + counts[i], mask.length);
    if (value === 1) {
      if (order === 'column-major') mask.fill(1, pixel, end);
      else for (let p = pixel; p < end; p++) mask[(p % height) * width + Math.floor(p / height)] = 1;
    }
    pixel = end;
    value ^= 1;
  }
  return mask;
}
