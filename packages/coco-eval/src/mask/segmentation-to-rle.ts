import { CocoFormatError } from '../errors';
import { mergeRles } from './merge-rles';
import type { Rle } from './rle';
import { rleFromPolygon } from './rle-from-polygon';
import { isRleJson, rleFromJson } from './rle-json';

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
  if (isRleJson(segmentation)) return rleFromJson(segmentation, path);
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
  const rles = segmentation.map((polygon, index) => {
    if (!Array.isArray(polygon))
      throw new CocoFormatError('a polygon must be a list of numbers', `${path}[${index}]`);
    return rleFromPolygon(polygon as number[], imageHeight, imageWidth, `${path}[${index}]`);
  });
  return mergeRles(rles);
}
