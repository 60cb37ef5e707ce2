import { CocoFormatError } from '../errors';

/**
 * A run-length encoded binary mask as maskApi.c holds it: `counts` are run lengths over
 * the mask in column-major order (down column 0, then column 1, ...), starting with a
 * run of zeros (possibly of length 0) and alternating. `height * width` pixels.
 */
export interface Rle {
  readonly height: number;
  readonly width: number;
  readonly counts: Uint32Array;
}

/** Largest `height * width` an RLE can have: maskApi.c counts pixels in 32-bit unsigned ints. */
export const MAX_RLE_PIXELS = 0xffffffff;

/** Checks an RLE size: positive integers whose product fits maskApi.c's 32-bit counts. */
export function checkMaskSize(height: number, width: number, path?: string): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new CocoFormatError(`mask size must be positive integers, got ${height}x${width}`, path);
  }
  if (height * width > MAX_RLE_PIXELS) {
    throw new CocoFormatError(`mask size ${height}x${width} exceeds 2^32 - 1 pixels`, path);
  }
}

/**
 * Builds an RLE from run lengths, checking that they are non-negative integers summing
 * to `height * width` (pycocotools does not check; a mismatch is always a broken file).
 */
export function createRle(height: number, width: number, counts: ArrayLike<number>, path?: string): Rle {
  checkMaskSize(height, width, path);
  const runs = new Uint32Array(counts.length);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i];
    if (!Number.isInteger(run) || run < 0 || run > MAX_RLE_PIXELS) {
      throw new CocoFormatError(`RLE run ${i} is ${run}; runs must be non-negative integers`, path);
    }
    runs[i] = run;
    total += run;
  }
  if (total !== height * width) {
    throw new CocoFormatError(
      `RLE runs sum to ${total} but the mask size ${height}x${width} has ${height * width} pixels`,
      path,
    );
  }
  return { height, width, counts: runs };
}

/**
 * Number of foreground pixels (maskApi.c `rleArea`): the sum of the odd-indexed runs.
 * @returns an integer
 */
export function rleArea(rle: Rle): number {
  return runsArea(rle.counts, 0, rle.counts.length);
}

/** rleArea of the runs `counts[start .. start+length)`. */
export function runsArea(counts: Uint32Array, start: number, length: number): number {
  let area = 0;
  for (let i = start + 1; i < start + length; i += 2) area += counts[i];
  return area >>> 0;
}

/**
 * The bounding box `[x, y, width, height]` of the foreground (maskApi.c `rleToBbox`,
 * including its quirks: an odd trailing run is ignored, a run spanning columns widens
 * the box to the full height). All zeros for an empty mask.
 */
export function rleToBbox(rle: Rle): [number, number, number, number] {
  const box: [number, number, number, number] = [0, 0, 0, 0];
  runsToBboxInto(rle.counts, 0, rle.counts.length, rle.height, rle.width, box, 0);
  return box;
}

/** rleToBbox of the runs `counts[start .. start+length)`, written to `out[offset..offset+4)`. */
export function runsToBboxInto(
  counts: Uint32Array,
  start: number,
  length: number,
  maskHeight: number,
  maskWidth: number,
  out: { [index: number]: number },
  offset: number,
): void {
  const height = maskHeight >>> 0;
  const evenLength = length - (length % 2);
  if (evenLength === 0 || height === 0) {
    out[offset] = out[offset + 1] = out[offset + 2] = out[offset + 3] = 0;
    return;
  }
  let xStart = maskWidth >>> 0;
  let yStart = height;
  let xEnd = 0;
  let yEnd = 0;
  let position = 0;
  let previousX = 0;
  // Column of the current pixel, tracked incrementally: most runs stay within a column
  // or the next, so the division is rarely needed.
  let x = 0;
  let columnStart = 0;
  for (let j = 0; j < evenLength; j++) {
    position = (position + counts[start + j]) >>> 0;
    const pixel = (position - (j % 2)) >>> 0;
    let y = pixel - columnStart;
    if (y >= height || y < 0) {
      if (y >= height && y < 2 * height) {
        x++;
        columnStart += height;
      } else {
        // pixel < 2^32, so floor(pixel / height) is never misrounded.
        x = Math.floor(pixel / height);
        columnStart = x * height;
      }
      y = pixel - columnStart;
    }
    if (j % 2 === 0) previousX = x;
    else if (previousX < x) {
      yStart = 0;
      yEnd = height - 1;
    }
    if (x < xStart) xStart = x;
    if (x > xEnd) xEnd = x;
    if (y < yStart) yStart = y;
    if (y > yEnd) yEnd = y;
  }
  out[offset] = xStart;
  out[offset + 1] = yStart;
  out[offset + 2] = (xEnd - xStart + 1) >>> 0;
  out[offset + 3] = (yEnd - yStart + 1) >>> 0;
}
