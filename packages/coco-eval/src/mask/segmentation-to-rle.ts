import { CocoFormatError, withPathPrefix } from '../errors';
import { mergeRunsInto } from './merge-rles';
import { rasterizePolygon } from './rasterize-polygon';
import type { Rle } from './rle';
import { checkMaskSize } from './rle';
import { checkPolygon } from './rle-from-polygon';
import { appendRleJsonRuns, isRleJson } from './rle-json';
import { RunBuffer } from './run-buffer';

/**
 * The mask of an annotation's `segmentation`, as pycocotools `COCO.annToRLE`:
 * polygons are rasterized at the image size and merged by union; an RLE (compressed
 * or not) is taken as is, with its own `size`.
 * pycocotools treats a polygon list whose first polygon has exactly 4 numbers as boxes
 * and then fails; that is an error here too, with a message saying why.
 * @throws CocoFormatError on anything else
 */
export function segmentationToRle(
  segmentation: unknown,
  imageHeight: number | undefined,
  imageWidth: number | undefined,
  path = 'segmentation',
): Rle {
  const runs = new RunBuffer(64);
  const { height, width } = appendSegmentationRuns(segmentation, imageHeight, imageWidth, runs, path);
  return { height, width, counts: runs.toArray() };
}

const merged = new RunBuffer(1024);
const polygonRuns = new RunBuffer(1024);
const accumulated = new RunBuffer(1024);

/** segmentationToRle appending the runs to a RunBuffer (no allocation per mask); returns the size. */
export function appendSegmentationRuns(
  segmentation: unknown,
  imageHeight: number | undefined,
  imageWidth: number | undefined,
  out: RunBuffer,
  path: string,
): { height: number; width: number } {
  if (isRleJson(segmentation)) return appendRleJsonRuns(segmentation, out, path);
  if (!Array.isArray(segmentation)) {
    throw new CocoFormatError('segmentation must be a polygon list or an RLE object', path);
  }
  if (segmentation.length === 0) throw new CocoFormatError('segmentation is an empty polygon list', path);
  const first = segmentation[0];
  if (!Array.isArray(first)) {
    throw new CocoFormatError('a polygon segmentation must be a list of [x1, y1, x2, y2, ...] lists', path);
  }
  if (first.length === 4) {
    throw new CocoFormatError(
      'the first polygon has 4 numbers; pycocotools reads that as a box list and fails. ' +
        'A polygon needs at least 3 points',
      `${path}[0]`,
    );
  }
  if (first.length < 4) {
    throw new CocoFormatError(
      `the first polygon has ${first.length} numbers; a polygon needs 3 points`,
      path,
    );
  }
  if (imageHeight === undefined || imageWidth === undefined) {
    throw new CocoFormatError('polygons need the image "height" and "width" to be rasterized', path);
  }
  checkMaskSize(imageHeight, imageWidth, path);
  for (let index = 0; index < segmentation.length; index++) {
    const polygon = segmentation[index];
    if (!Array.isArray(polygon))
      throw new CocoFormatError('a polygon must be a list of numbers', `${path}[${index}]`);
    try {
      checkPolygon(polygon);
    } catch (error) {
      throw withPathPrefix(error, `${path}[${index}]`);
    }
  }
  if (segmentation.length === 1) {
    rasterizePolygon(segmentation[0], imageHeight, imageWidth, out);
    return { height: imageHeight, width: imageWidth };
  }
  // Union left to right, as maskApi.c rleMerge.
  accumulated.length = 0;
  rasterizePolygon(segmentation[0], imageHeight, imageWidth, accumulated);
  for (let index = 1; index < segmentation.length; index++) {
    polygonRuns.length = 0;
    rasterizePolygon(segmentation[index], imageHeight, imageWidth, polygonRuns);
    merged.length = 0;
    mergeRunsInto(
      accumulated.data,
      0,
      accumulated.length,
      polygonRuns.data,
      0,
      polygonRuns.length,
      false,
      merged,
    );
    accumulated.length = 0;
    accumulated.reserve(merged.length);
    accumulated.data.set(merged.data.subarray(0, merged.length));
    accumulated.length = merged.length;
  }
  out.reserve(accumulated.length);
  out.data.set(accumulated.data.subarray(0, accumulated.length), out.length);
  out.length += accumulated.length;
  return { height: imageHeight, width: imageWidth };
}
