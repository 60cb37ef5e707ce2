import type { CocoDataset } from '../dataset/coco-dataset';
import { withPathPrefix } from '../errors';
import { RunBuffer } from '../mask/run-buffer';
import { appendSegmentationRuns } from '../mask/segmentation-to-rle';
import type { AnnotationTable } from './eval-tables';

/**
 * The masks of one (image, category) cell, decoded on demand into reused buffers (no
 * object per mask, memory bounded by the largest cell). Mask i keeps its runs
 * (`runs.data[runStart[i] .. runStart[i + 1])`, for maskApi.c's toBbox), its
 * foreground as sorted pixel intervals `[start, end)` (`spans.data[spanStart[i] ..
 * spanStart[i + 1])`, pairs, empty runs dropped) for fast intersections, its size and
 * its area (maskApi.c rleArea). Each annotation lies in one cell, so each mask is
 * decoded once per evaluation.
 */
export class CellMasks {
  readonly runs = new RunBuffer(4096);
  readonly spans = new RunBuffer(4096);
  runStart = new Int32Array(65);
  spanStart = new Int32Array(65);
  heights = new Int32Array(64);
  widths = new Int32Array(64);
  areas = new Float64Array(64);

  constructor(
    private readonly table: AnnotationTable,
    private readonly dataset: CocoDataset,
    private readonly side: string,
  ) {}

  /**
   * Loads the masks of rows `rows[first .. first + count)` (pycocotools `annToRLE`);
   * masks the dataset decoded at load time (segm results) are copied.
   * @throws CocoFormatError naming the annotation on a missing or invalid segmentation
   */
  load(rows: Int32Array, first: number, count: number): void {
    if (this.heights.length < count) this.grow(count);
    const { runs, spans } = this;
    runs.length = 0;
    spans.length = 0;
    for (let i = 0; i < count; i++) {
      const annotation = this.table.annotations[rows[first + i]];
      const decoded = this.dataset.decodedMask(annotation);
      const begin = runs.length;
      if (decoded) {
        runs.reserve(decoded.counts.length);
        runs.data.set(decoded.counts, runs.length);
        runs.length += decoded.counts.length;
        this.heights[i] = decoded.height;
        this.widths[i] = decoded.width;
      } else {
        const image = this.dataset.image(annotation.image_id);
        let size: { height: number; width: number };
        try {
          size = appendSegmentationRuns(annotation.segmentation, image?.height, image?.width, runs, '');
        } catch (error) {
          throw withPathPrefix(error, `${this.side} annotation ${annotation.id}.segmentation`);
        }
        this.heights[i] = size.height;
        this.widths[i] = size.width;
      }
      this.runStart[i + 1] = runs.length;
      this.areas[i] = appendSpans(runs.data, begin, runs.length, spans);
      this.spanStart[i + 1] = spans.length;
    }
  }

  private grow(count: number): void {
    const size = Math.max(count, 2 * this.heights.length);
    this.runStart = new Int32Array(size + 1);
    this.spanStart = new Int32Array(size + 1);
    this.heights = new Int32Array(size);
    this.widths = new Int32Array(size);
    this.areas = new Float64Array(size);
  }
}

/** Appends the foreground intervals of runs `counts[begin..end)`; returns the area (rleArea). */
function appendSpans(counts: Uint32Array, begin: number, end: number, spans: RunBuffer): number {
  spans.reserve(end - begin + 1);
  const out = spans.data;
  let length = spans.length;
  let position = 0;
  let area = 0;
  for (let j = begin; j < end; j += 2) {
    position += counts[j];
    if (j + 1 >= end) break;
    const run = counts[j + 1];
    if (run > 0) {
      out[length++] = position;
      position += run;
      out[length++] = position;
      area += run;
    }
  }
  spans.length = length;
  return area;
}

/**
 * Pixels in both of two sorted interval lists `a[aStart..aEnd)` and `b[...]` (pairs
 * `[start, end)`): the intersection half of maskApi.c `rleIou`, over foreground
 * intervals only, skipping to where both masks have pixels.
 */
export function spanIntersection(
  a: Uint32Array,
  aStart: number,
  aEnd: number,
  b: Uint32Array,
  bStart: number,
  bEnd: number,
): number {
  if (aStart === aEnd || bStart === bEnd) return 0;
  if (a[aEnd - 1] <= b[bStart] || b[bEnd - 1] <= a[aStart]) return 0;
  let i = aStart;
  let j = bStart;
  let shared = 0;
  while (i < aEnd && j < bEnd) {
    const aFrom = a[i];
    const aTo = a[i + 1];
    const bFrom = b[j];
    const bTo = b[j + 1];
    const low = aFrom > bFrom ? aFrom : bFrom;
    const high = aTo < bTo ? aTo : bTo;
    if (high > low) shared += high - low;
    if (aTo < bTo) i += 2;
    else j += 2;
  }
  return shared;
}
