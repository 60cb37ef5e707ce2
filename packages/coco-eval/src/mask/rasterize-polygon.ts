import { RunBuffer } from './run-buffer';
import { sortOffsets } from './sort-offsets';

const SCALE = 5;
const INT_MIN = -2147483648;
/**
 * Steep edges up to this many steps jump straight to the column changes that can emit
 * a point; their slope is then far enough from 1 that the column never moves by 2 in
 * one step. Longer ones (coordinates far outside any image) binary-search every change.
 */
const STEEP_JUMP_LIMIT = 2 ** 20;

/** C's `(int)` of a double on x86-64: truncation; NaN or out of range gives INT_MIN. */
function toInt(value: number): number {
  return value > -2147483649 && value < 2147483648 ? value | 0 : INT_MIN;
}

/** Scratch for one polygon: boundary pixel offsets `x * h + y`. */
const offsets = new RunBuffer(1024);
let sortScratch = new Uint32Array(1024);

/**
 * Rasterizes one polygon exactly as maskApi.c `rleFrPoly` and appends its runs to `out`.
 * The boundary is upsampled x5 (`(int)(5x + .5)`), walked edge by edge; every step
 * that changes column and lands on a pixel centre column 0..w-1 gives the first row
 * below the boundary there (clamped to 0..h); sorted offsets `x * h + y` become runs.
 * Only steps that can land in the image are visited, and long steep edges jump from
 * one column change to the next, so the cost follows the image, not the coordinates;
 * the points found are exactly those of maskApi.c's full walk.
 * @param polygon `[x1, y1, ...]`, finite, |value| <= 1e8 (checked by the caller)
 * @returns the number of runs appended
 */
export function rasterizePolygon(
  polygon: ArrayLike<number>,
  height: number,
  width: number,
  out: RunBuffer,
): number {
  offsets.length = 0;
  const vertexCount = Math.floor(polygon.length / 2);
  const lastColumn = width - 1;
  const high = SCALE * width;
  let previousU = 0;
  let previousV = 0;
  for (let j = 0; j < vertexCount; j++) {
    const next = j + 1 === vertexCount ? 0 : j + 1;
    let x0 = toInt(SCALE * polygon[2 * j] + 0.5);
    let y0 = toInt(SCALE * polygon[2 * j + 1] + 0.5);
    let x1 = toInt(SCALE * polygon[2 * next] + 0.5);
    let y1 = toInt(SCALE * polygon[2 * next + 1] + 0.5);
    const dx = Math.abs(x1 - x0);
    const dy = Math.abs(y0 - y1);
    const flat = dx >= dy;
    const flip = (flat && x0 > x1) || (!flat && y0 > y1);
    if (flip) {
      const x = x0;
      x0 = x1;
      x1 = x;
      const y = y0;
      y0 = y1;
      y1 = y;
    }
    // 0/0 for a zero-length edge gives NaN, and its one point's row becomes INT_MIN, as in C.
    const slope = flat ? (y1 - y0) / dx : (x1 - x0) / dy;
    const last = flat ? dx : dy;
    const firstT = flip ? last : 0;
    const firstU = flat ? x0 + firstT : toInt(x0 + slope * firstT + 0.5);
    const firstV = flat ? toInt(y0 + slope * firstT + 0.5) : y0 + firstT;
    if (j > 0 && previousU !== firstU) emitStep(previousU, previousV, firstU, firstV, height, lastColumn);
    if (flat) {
      // The column changes by one per step; only raw columns 5x + 2 land on a pixel.
      const from = Math.max(0, -x0 - 1);
      const to = Math.min(last - 1, high - x0 + 1);
      // In walking order (t descending when flipped), so offsets come out in few sorted runs.
      const first = from + mod5(2 - (x0 + from));
      const lastStep = to - mod5(x0 + to - 2);
      const step = flip ? -5 : 5;
      for (let t = flip ? lastStep : first; t >= first && t <= lastStep; t += step) {
        const a = toInt(y0 + slope * t + 0.5);
        const b = toInt(y0 + slope * (t + 1) + 0.5);
        emitPoint(x0 + t, a < b ? a : b, height);
      }
    } else if (last <= STEEP_JUMP_LIMIT) {
      walkSteepEdge(x0, y0, slope, last, flip, height, lastColumn);
    } else {
      walkLongSteepEdge(x0, y0, slope, last, flip, height, lastColumn, high);
    }
    const lastT = flip ? 0 : last;
    previousU = flat ? x0 + lastT : toInt(x0 + slope * lastT + 0.5);
    previousV = flat ? toInt(y0 + slope * lastT + 0.5) : y0 + lastT;
  }
  return runsFromOffsets(height, width, out);
}

/** (value mod 5) in 0..4 for any integer. */
function mod5(value: number): number {
  return ((value % 5) + 5) % 5;
}

/**
 * The boundary step from (u0, v0) to (u1, v1), in walking order, as maskApi.c reads it:
 * `xd = (raw + .5) / 5 - .5` must be a whole column 0..w-1, which for integer raw is
 * exactly `raw = 5x + 2`; so that test and the division are done in integers.
 */
function emitStep(u0: number, v0: number, u1: number, v1: number, height: number, lastColumn: number): void {
  const raw = (u1 < u0 ? u1 : u1 - 1) - 2;
  if (raw < 0 || raw % 5 !== 0) return;
  const column = raw / 5;
  if (column > lastColumn) return;
  pushOffset(column, v1 < v0 ? v1 : v0, height);
}

/** A step whose raw column is known to be 5x + 2 for a pixel column x. */
function emitPoint(rawColumn: number, rawRow: number, height: number): void {
  pushOffset((rawColumn - 2) / 5, rawRow, height);
}

/**
 * maskApi.c's `yd = (v + .5) / 5 - .5`, clamped to 0..h, then ceil. For integer v that
 * is ceil((v - 2) / 5) (the fraction is a multiple of 0.2, far from rounding trouble).
 */
function pushOffset(column: number, rawRow: number, height: number): void {
  const shifted = rawRow - 2;
  const row = shifted <= 0 ? 0 : shifted >= 5 * height ? height : Math.ceil(shifted / 5);
  offsets.push(column * height + row);
}

/** Column of a steep edge's point at step t (maskApi.c `(int)(xs + s*t + .5)`). */
function steepColumn(x0: number, slope: number, t: number): number {
  return toInt(x0 + slope * t + 0.5);
}

/** Whether a steep edge's column at step t is past `column` in its direction of travel. */
function hasPassed(x0: number, slope: number, t: number, column: number, increasing: boolean): boolean {
  const at = steepColumn(x0, slope, t);
  return increasing ? at > column : at <= column;
}

/**
 * Steep edge (|dy| > |dx|): the column is monotone in t and moves by at most one per
 * step, and only a move between raw columns 5x + 2 and 5x + 3 gives a point. For each
 * such move, guess its step from the line equation, then settle it with the exact
 * column formula (the guess is off by a step at most), instead of walking every step.
 */
function walkSteepEdge(
  x0: number,
  y0: number,
  slope: number,
  last: number,
  flip: boolean,
  height: number,
  lastColumn: number,
): void {
  if (slope === 0) return;
  const startColumn = steepColumn(x0, slope, 0);
  const endColumn = steepColumn(x0, slope, last);
  const increasing = slope > 0;
  const low = Math.max(2, increasing ? startColumn : endColumn);
  const high = Math.min(5 * lastColumn + 2, (increasing ? endColumn : startColumn) - 1);
  // In walking order (columns descending when travel and flip disagree), for few sorted runs.
  const firstColumn = low + mod5(2 - low);
  const lastColumnToTry = high - mod5(high - 2);
  const step = increasing !== flip ? 5 : -5;
  for (
    let column = step > 0 ? firstColumn : lastColumnToTry;
    column >= firstColumn && column <= lastColumnToTry;
    column += step
  ) {
    // The step t where the column passes between `column` and `column + 1`.
    let t = Math.ceil((column + 0.5 - x0) / slope);
    if (!increasing) t = Math.floor((column + 0.5 - x0) / slope) + 1;
    t = Math.min(Math.max(t, 1), last);
    while (t > 1 && hasPassed(x0, slope, t - 1, column, increasing)) t--;
    while (t < last && !hasPassed(x0, slope, t, column, increasing)) t++;
    const before = steepColumn(x0, slope, t - 1);
    const after = steepColumn(x0, slope, t);
    if (Math.abs(after - before) !== 1 || Math.min(before, after) !== column) continue;
    if (flip) emitStep(after, y0 + t, before, y0 + t - 1, height, lastColumn);
    else emitStep(before, y0 + t - 1, after, y0 + t, height, lastColumn);
  }
}

/** Steep edge with very many steps: binary search from one column change to the next. */
function walkLongSteepEdge(
  x0: number,
  y0: number,
  slope: number,
  last: number,
  flip: boolean,
  height: number,
  lastColumn: number,
  high: number,
): void {
  const u = (t: number) => toInt(x0 + slope * t + 0.5);
  const increasing = slope >= 0;
  // Columns before the window (raw 1..5w) give no pixel; start one step before it.
  let t = Math.max(0, firstWhere(0, last, (c) => (increasing ? u(c) >= 0 : u(c) <= high + 1)) - 1);
  while (t < last) {
    const column = u(t);
    if (increasing ? column > high + 1 : column < 0) return;
    const end = firstWhere(t, last, (c) => u(c) !== column) - 1;
    if (end >= last) return;
    if (flip) emitStep(u(end + 1), y0 + end + 1, column, y0 + end, height, lastColumn);
    else emitStep(column, y0 + end, u(end + 1), y0 + end + 1, height, lastColumn);
    t = end + 1;
  }
}

/** Smallest t in [from, to] where the monotone `test` holds, or to + 1. */
function firstWhere(from: number, to: number, test: (t: number) => boolean): number {
  let low = from;
  let high = to + 1;
  while (low < high) {
    const mid = low + Math.floor((high - low) / 2);
    if (test(mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * Sorted offsets plus the end, differenced into runs; a zero gap folds the next run
 * into the previous one, as maskApi.c does.
 */
function runsFromOffsets(height: number, width: number, out: RunBuffer): number {
  offsets.push(height * width);
  const count = offsets.length;
  if (sortScratch.length < count) sortScratch = new Uint32Array(offsets.data.length);
  const sorted = offsets.data;
  sortOffsets(sorted, count, sortScratch);
  out.reserve(count);
  const runs = out.data;
  const start = out.length;
  let length = start;
  runs[length++] = sorted[0];
  let j = 1;
  while (j < count) {
    const gap = sorted[j] - sorted[j - 1];
    j++;
    if (gap > 0) runs[length++] = gap;
    else if (j < count) {
      runs[length - 1] += sorted[j] - sorted[j - 1];
      j++;
    }
  }
  out.length = length;
  return length - start;
}
