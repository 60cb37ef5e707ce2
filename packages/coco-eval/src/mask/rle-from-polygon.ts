import { CocoFormatError } from '../errors';
import { rasterizePolygon } from './rasterize-polygon';
import { checkMaskSize, type Rle } from './rle';
import { RunBuffer } from './run-buffer';

/** Largest |coordinate| accepted: maskApi.c stores 5x the coordinate in a 32-bit int. */
export const MAX_POLYGON_COORDINATE = 1e8;

/**
 * Rasterizes one polygon to an RLE exactly as maskApi.c `rleFrPoly` (pycocotools
 * `mask.frPyObjects(polygon, h, w)`): vertices scaled x5 and rounded with C's
 * `(int)(5x + .5)`, the boundary walked, its column crossings clipped to the image
 * and turned into runs. Thin or sub-pixel polygons give empty masks, as there.
 * @param polygon `[x1, y1, x2, y2, ...]` in pixels (an odd trailing number is an error)
 * @returns a `height x width` RLE; the caller owns it
 */
export function rleFromPolygon(
  polygon: ArrayLike<number>,
  height: number,
  width: number,
  path?: string,
): Rle {
  checkMaskSize(height, width, path);
  checkPolygon(polygon, path);
  const runs = new RunBuffer(64);
  rasterizePolygon(polygon, height, width, runs);
  return { height, width, counts: runs.toArray() };
}

/** Throws CocoFormatError unless the polygon is an even-length list of finite numbers within ±1e8. */
export function checkPolygon(polygon: ArrayLike<number>, path?: string): void {
  if (polygon.length % 2 !== 0) {
    throw new CocoFormatError(`polygon has an odd number of coordinates (${polygon.length})`, path);
  }
  for (let i = 0; i < polygon.length; i++) {
    const value = polygon[i];
    if (typeof value !== 'number' || !(Math.abs(value) <= MAX_POLYGON_COORDINATE)) {
      throw new CocoFormatError(
        `polygon coordinate ${i} is ${String(value)}; coordinates must be finite numbers within ±1e8`,
        path,
      );
    }
  }
}

/**
 * Rasterizes a box `[x, y, width, height]` as maskApi.c `rleFrBbox`: the polygon
 * `[x, y, x, y+h, x+w, y+h, x+w, y]` through rleFromPolygon.
 */
export function rleFromBbox(box: ArrayLike<number>, height: number, width: number, path?: string): Rle {
  if (box.length !== 4) throw new CocoFormatError(`box needs 4 numbers, got ${box.length}`, path);
  const [x, y, boxWidth, boxHeight] = [box[0], box[1], box[2], box[3]];
  const xEnd = x + boxWidth;
  const yEnd = y + boxHeight;
  return rleFromPolygon([x, y, x, yEnd, xEnd, yEnd, xEnd, y], height, width, path);
}
