import { CocoFormatError } from '../errors';
import type { Rle } from './rle';

/**
 * Union (or intersection) of masks of one size, as maskApi.c `rleMerge` (pycocotools
 * `mask.merge`): merged left to right, the result re-encoded with no empty runs but a
 * possible leading zero run. One mask is returned as a copy.
 * @throws CocoFormatError when the sizes differ (pycocotools returns an empty 0x0 RLE)
 */
export function mergeRles(rles: readonly Rle[], intersect = false): Rle {
  if (rles.length === 0) throw new CocoFormatError('mergeRles needs at least one mask');
  const { height, width } = rles[0];
  let merged = rles[0].counts;
  if (rles.length === 1) return { height, width, counts: merged.slice() };
  for (let i = 1; i < rles.length; i++) {
    const other = rles[i];
    if (other.height !== height || other.width !== width) {
      throw new CocoFormatError(
        `cannot merge masks of sizes ${height}x${width} and ${other.height}x${other.width}`,
      );
    }
    merged = mergeTwo(merged, other.counts, intersect);
  }
  return { height, width, counts: merged };
}

/** One step of rleMerge: walks both run lists at once, emitting a run when the value flips. */
function mergeTwo(a: Uint32Array, b: Uint32Array, intersect: boolean): Uint32Array {
  // Every emitted run ends where one input run ends, or at the very end.
  const out = new Uint32Array(a.length + b.length + 1);
  let outLength = 0;
  let remainingA = a.length > 0 ? a[0] : 0;
  let remainingB = b.length > 0 ? b[0] : 0;
  let nextA = 1;
  let nextB = 1;
  let valueA = false;
  let valueB = false;
  let value = false;
  let run = 0;
  let more = true;
  while (more) {
    const step = remainingA < remainingB ? remainingA : remainingB;
    run += step;
    remainingA -= step;
    if (remainingA === 0 && nextA < a.length) {
      remainingA = a[nextA++];
      valueA = !valueA;
    }
    remainingB -= step;
    if (remainingB === 0 && nextB < b.length) {
      remainingB = b[nextB++];
      valueB = !valueB;
    }
    more = remainingA + remainingB > 0;
    const previous: boolean = value;
    value = intersect ? valueA && valueB : valueA || valueB;
    if (value !== previous || !more) {
      out[outLength++] = run;
      run = 0;
    }
  }
  return out.slice(0, outLength);
}
