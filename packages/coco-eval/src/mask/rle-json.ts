import { CocoFormatError } from '../errors';
import type { CompressedRle } from '../types';
import { createRle, type Rle } from './rle';
import { rleFromString, rleToString } from './rle-string';

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
  if (!isRleJson(value)) throw new CocoFormatError('an RLE needs "size" and "counts"', path);
  const size = value.size;
  if (!Array.isArray(size) || size.length !== 2) {
    throw new CocoFormatError('RLE "size" must be [height, width]', `${path}.size`);
  }
  const [height, width] = size as unknown[];
  if (typeof height !== 'number' || typeof width !== 'number') {
    throw new CocoFormatError('RLE "size" must be two numbers', `${path}.size`);
  }
  const counts = value.counts;
  if (typeof counts === 'string')
    return createRle(height, width, rleFromString(counts, `${path}.counts`), path);
  if (Array.isArray(counts)) return createRle(height, width, counts as number[], `${path}.counts`);
  throw new CocoFormatError('RLE "counts" must be a string or a list of run lengths', `${path}.counts`);
}

/** Writes an RLE as a compressed COCO RLE object (pycocotools `encode` output, counts as text). */
export function rleToJson(rle: Rle): CompressedRle {
  return { size: [rle.height, rle.width], counts: rleToString(rle.counts) };
}
