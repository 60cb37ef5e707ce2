import { CocoFormatError } from '../errors';
import { checkMaskSize, type Rle } from './rle';
import { type BoundaryPoints, walkPolygonBoundary } from './walk-polygon-boundary';

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
  const points: BoundaryPoints = { columns: [], rows: [] };
  walkPolygonBoundary(polygon, height, width, points);
  return runsFromBoundary(points, height, width);
}

/**
 * Turns boundary points (column x, first foreground row y) into column-major runs:
 * sorted pixel offsets `x * h + y` plus the end, differenced, zero gaps folded the
 * way maskApi.c folds them.
 */
function runsFromBoundary(points: BoundaryPoints, height: number, width: number): Rle {
  const count = points.columns.length;
  const offsets = new Float64Array(count + 1);
  for (let j = 0; j < count; j++) offsets[j] = points.columns[j] * height + points.rows[j];
  offsets[count] = height * width;
  offsets.sort();
  let previous = 0;
  for (let j = 0; j <= count; j++) {
    const offset = offsets[j];
    offsets[j] -= previous;
    previous = offset;
  }
  const runs = new Uint32Array(count + 1);
  let length = 0;
  let j = 0;
  runs[length++] = offsets[j++];
  while (j <= count) {
    if (offsets[j] > 0) runs[length++] = offsets[j++];
    else {
      j++;
      if (j <= count) runs[length - 1] += offsets[j++];
    }
  }
  return { height, width, counts: runs.slice(0, length) };
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
