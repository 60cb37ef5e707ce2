import { CocoFormatError, withPathPrefix } from '../errors';
import type { CompressedRle } from '../types';
import { checkMaskSize, type Rle } from './rle';
import { decodeRleString, rleToString } from './rle-string';
import { RunBuffer } from './run-buffer';

/** True for an object shaped like a COCO RLE (`size` and `counts`), compressed or not. */
export function isRleJson(value: unknown): value is { size: unknown; counts: unknown } {
  return typeof value === 'object' && value !== null && 'counts' in value && 'size' in value;
}

/**
 * Reads a COCO RLE object, compressed (`counts` string, pycocotools `frString`) or
 * uncompressed (`counts` number list, `frUncompressedRLE`), with its own `size`.
 * @throws CocoFormatError on a bad size, bad counts, or runs not summing to h*w
 */
export function rleFromJson(value: unknown, path = 'segmentation'): Rle {
  const runs = new RunBuffer(64);
  const { height, width } = appendRleJsonRuns(value, runs, path);
  return { height, width, counts: runs.toArray() };
}

/** rleFromJson appending the runs to a RunBuffer; returns the mask size. */
export function appendRleJsonRuns(
  value: unknown,
  out: RunBuffer,
  path: string,
): { height: number; width: number } {
  if (!isRleJson(value)) throw new CocoFormatError('an RLE needs "size" and "counts"', path);
  const size = value.size;
  if (!Array.isArray(size) || size.length !== 2) {
    throw new CocoFormatError('RLE "size" must be [height, width]', `${path}.size`);
  }
  const [height, width] = size as unknown[];
  if (typeof height !== 'number' || typeof width !== 'number') {
    throw new CocoFormatError('RLE "size" must be two numbers', `${path}.size`);
  }
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    checkMaskSize(height, width, `${path}.size`);
  }
  checkMaskSize(height, width, path);
  const counts = value.counts;
  const start = out.length;
  let total = 0;
  if (typeof counts === 'string') {
    try {
      total = decodeRleString(counts, out);
    } catch (error) {
      out.length = start;
      throw withPathPrefix(error, `${path}.counts`);
    }
  } else if (Array.isArray(counts)) {
    out.reserve(counts.length);
    for (let i = 0; i < counts.length; i++) {
      const run = counts[i];
      if (typeof run !== 'number' || !Number.isInteger(run) || run < 0 || run > 0xffffffff) {
        out.length = start;
        throw new CocoFormatError(
          `run ${i} is ${String(run)}; runs must be non-negative integers`,
          `${path}.counts`,
        );
      }
      out.data[out.length++] = run;
      total += run;
    }
  } else {
    throw new CocoFormatError('RLE "counts" must be a string or a list of run lengths', `${path}.counts`);
  }
  if (total !== height * width) {
    out.length = start;
    throw new CocoFormatError(
      `RLE runs sum to ${total} but the mask size ${height}x${width} has ${height * width} pixels`,
      path,
    );
  }
  return { height, width };
}

/** Writes an RLE as a compressed COCO RLE object (pycocotools `encode` output, counts as text). */
export function rleToJson(rle: Rle): CompressedRle {
  return { size: [rle.height, rle.width], counts: rleToString(rle.counts) };
}
