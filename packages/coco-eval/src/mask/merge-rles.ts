import { CocoFormatError } from '../errors';
import type { Rle } from './rle';
import { RunBuffer } from './run-buffer';

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
    const out = new RunBuffer(merged.length + other.counts.length + 1);
    mergeRunsInto(merged, 0, merged.length, other.counts, 0, other.counts.length, intersect, out);
    merged = out.toArray();
  }
  return { height, width, counts: merged };
}

/**
 * One step of rleMerge on run lists `a[aStart..aStart+aLength)` and `b[...]`: walks both
 * at once, emitting a run whenever the merged value flips. Appends to `out`.
 * `out` must not share storage with the inputs.
 * @returns the number of runs appended
 */
export function mergeRunsInto(
  a: Uint32Array,
  aStart: number,
  aLength: number,
  b: Uint32Array,
  bStart: number,
  bLength: number,
  intersect: boolean,
  out: RunBuffer,
): number {
  // Every emitted run ends where an input run ends, or at the very end.
  out.reserve(aLength + bLength + 1);
  const runs = out.data;
  const first = out.length;
  let length = first;
  let remainingA = aLength > 0 ? a[aStart] : 0;
  let remainingB = bLength > 0 ? b[bStart] : 0;
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
    if (remainingA === 0 && nextA < aLength) {
      remainingA = a[aStart + nextA++];
      valueA = !valueA;
    }
    remainingB -= step;
    if (remainingB === 0 && nextB < bLength) {
      remainingB = b[bStart + nextB++];
      valueB = !valueB;
    }
    more = remainingA + remainingB > 0;
    const previous: boolean = value;
    value = intersect ? valueA && valueB : valueA || valueB;
    if (value !== previous || !more) {
      runs[length++] = run;
      run = 0;
    }
  }
  out.length = length;
  return length - first;
}
