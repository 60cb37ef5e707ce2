import type { CocoDataset } from '../dataset/coco-dataset';
import { runsArea, runsToBboxInto } from '../mask/rle';
import { RunBuffer } from '../mask/run-buffer';
import { appendSegmentationRuns } from '../mask/segmentation-to-rle';
import type { AnnotationTable } from './eval-tables';

/**
 * The masks of one (image, category) cell, decoded on demand into reused buffers
 * (no object per mask, memory bounded by the largest cell): mask i's runs are
 * `runs.data[start[i] .. start[i + 1])`, with its size, area (maskApi.c rleArea) and
 * toBbox box, what pycocotools' segm `computeIoU` uses. Each annotation lies in one
 * cell, so each mask is decoded once per evaluation.
 */
export class CellMasks {
  readonly runs = new RunBuffer(4096);
  start = new Int32Array(65);
  heights = new Int32Array(64);
  widths = new Int32Array(64);
  areas = new Float64Array(64);
  boxes = new Float64Array(256);

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
    const runs = this.runs;
    runs.length = 0;
    for (let i = 0; i < count; i++) {
      const annotation = this.table.annotations[rows[first + i]];
      const decoded = this.dataset.decodedMask(annotation);
      if (decoded) {
        runs.reserve(decoded.counts.length);
        runs.data.set(decoded.counts, runs.length);
        runs.length += decoded.counts.length;
        this.heights[i] = decoded.height;
        this.widths[i] = decoded.width;
      } else {
        const image = this.dataset.image(annotation.image_id);
        const path = `${this.side} annotation ${annotation.id}.segmentation`;
        const size = appendSegmentationRuns(annotation.segmentation, image?.height, image?.width, runs, path);
        this.heights[i] = size.height;
        this.widths[i] = size.width;
      }
      this.start[i + 1] = runs.length;
    }
    for (let i = 0; i < count; i++) {
      const start = this.start[i];
      const length = this.start[i + 1] - start;
      this.areas[i] = runsArea(runs.data, start, length);
      runsToBboxInto(runs.data, start, length, this.heights[i], this.widths[i], this.boxes, i * 4);
    }
  }

  private grow(count: number): void {
    const size = Math.max(count, 2 * this.heights.length);
    this.start = new Int32Array(size + 1);
    this.heights = new Int32Array(size);
    this.widths = new Int32Array(size);
    this.areas = new Float64Array(size);
    this.boxes = new Float64Array(size * 4);
  }
}
