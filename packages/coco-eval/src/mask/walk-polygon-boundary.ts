/** Boundary points of a polygon: the column and the first foreground row of each crossing. */
export interface BoundaryPoints {
  columns: number[];
  rows: number[];
}

const SCALE = 5;
const INT_MIN = -2147483648;

/** C's `(int)` of a double on x86-64: truncation; NaN or out of range gives INT_MIN. */
function toInt(value: number): number {
  return value > -2147483649 && value < 2147483648 ? Math.trunc(value) : INT_MIN;
}

/**
 * One edge of the upsampled boundary as maskApi.c walks it: `count` points at
 * parameter t = 0..count-1, stepping one unit along the longer axis; `flip` walks t
 * backwards so points come out from the edge's start to its end.
 */
class Edge {
  readonly xMajor: boolean;
  readonly flip: boolean;
  readonly xStart: number;
  readonly yStart: number;
  readonly slope: number;
  readonly count: number;

  constructor(x0: number, y0: number, x1: number, y1: number) {
    const dx = Math.abs(x1 - x0);
    const dy = Math.abs(y0 - y1);
    this.xMajor = dx >= dy;
    this.flip = (this.xMajor && x0 > x1) || (!this.xMajor && y0 > y1);
    if (this.flip) [x0, x1, y0, y1] = [x1, x0, y1, y0];
    this.xStart = x0;
    this.yStart = y0;
    // 0/0 for a zero-length edge gives NaN, and its one point's row becomes INT_MIN, as in C.
    this.slope = this.xMajor ? (y1 - y0) / dx : (x1 - x0) / dy;
    this.count = (this.xMajor ? dx : dy) + 1;
  }

  /** Column of the point at parameter t. */
  u(t: number): number {
    return this.xMajor ? t + this.xStart : toInt(this.xStart + this.slope * t + 0.5);
  }

  /** Row of the point at parameter t. */
  v(t: number): number {
    return this.xMajor ? toInt(this.yStart + this.slope * t + 0.5) : t + this.yStart;
  }

  /** Parameter of the edge's d-th point in walking order. */
  parameter(d: number): number {
    return this.flip ? this.count - 1 - d : d;
  }
}

/**
 * Walks a polygon's upsampled boundary as maskApi.c `rleFrPoly` does and records, for
 * every step that changes column, the column and first row of the crossing (clipped to
 * columns 0..w-1, rows clamped to 0..h). Only the steps whose column can land in the
 * image are visited (binary search on the monotone column of steep edges), so a
 * polygon reaching far outside the image costs no more than one inside it; the points
 * found are exactly those of the full walk.
 */
export function walkPolygonBoundary(
  polygon: ArrayLike<number>,
  height: number,
  width: number,
  out: BoundaryPoints,
): void {
  const vertexCount = Math.floor(polygon.length / 2);
  if (vertexCount === 0) return;
  const xs = new Array<number>(vertexCount + 1);
  const ys = new Array<number>(vertexCount + 1);
  for (let j = 0; j < vertexCount; j++) {
    xs[j] = toInt(SCALE * polygon[2 * j] + 0.5);
    ys[j] = toInt(SCALE * polygon[2 * j + 1] + 0.5);
  }
  xs[vertexCount] = xs[0];
  ys[vertexCount] = ys[0];
  const lastColumn = width - 1;
  const emit = (u0: number, v0: number, u1: number, v1: number): void => {
    let xd = u1 < u0 ? u1 : u1 - 1;
    xd = (xd + 0.5) / SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > lastColumn) return;
    let yd = v1 < v0 ? v1 : v0;
    yd = (yd + 0.5) / SCALE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > height) yd = height;
    out.columns.push(xd);
    out.rows.push(Math.ceil(yd));
  };
  // Raw columns whose crossing can land in 0..w-1 (raw = 5x + 2), with a margin of one.
  const low = 1;
  const high = SCALE * width;
  let previous: Edge | undefined;
  for (let j = 0; j < vertexCount; j++) {
    const edge = new Edge(xs[j], ys[j], xs[j + 1], ys[j + 1]);
    if (previous) {
      // The pair across two edges: last point of the previous one, first of this one.
      const tLast = previous.parameter(previous.count - 1);
      const tFirst = edge.parameter(0);
      const u0 = previous.u(tLast);
      const u1 = edge.u(tFirst);
      if (u0 !== u1) emit(u0, previous.v(tLast), u1, edge.v(tFirst));
    }
    if (edge.xMajor) walkFlatEdge(edge, low, high, emit);
    else walkSteepEdge(edge, low, high, emit);
    previous = edge;
  }
}

type Emit = (u0: number, v0: number, u1: number, v1: number) => void;

/** Edges with |dx| >= |dy|: the column changes by one at every step. */
function walkFlatEdge(edge: Edge, low: number, high: number, emit: Emit): void {
  const first = Math.max(0, low - edge.xStart - 1);
  const last = Math.min(edge.count - 2, high - edge.xStart + 1);
  for (let t = first; t <= last; t++) emitStep(edge, t, emit);
}

/** Emits the step between parameters t and t + 1 in walking order (t + 1 first when flipped). */
function emitStep(edge: Edge, t: number, emit: Emit): void {
  if (edge.flip) emit(edge.u(t + 1), edge.v(t + 1), edge.u(t), edge.v(t));
  else emit(edge.u(t), edge.v(t), edge.u(t + 1), edge.v(t + 1));
}

/** Edges with |dy| > |dx|: the column is monotone in t and changes at most |dx| times. */
function walkSteepEdge(edge: Edge, low: number, high: number, emit: Emit): void {
  const lastT = edge.count - 1;
  const increasing = edge.slope >= 0;
  // First t whose column has reached the window (columns before it give no crossing).
  let t = firstWhere(0, lastT, (candidate) =>
    increasing ? edge.u(candidate) >= low - 1 : edge.u(candidate) <= high + 1,
  );
  t = Math.max(0, t - 1);
  while (t < lastT) {
    const column = edge.u(t);
    if (increasing ? column > high + 1 : column < low - 1) return;
    // Last t with the same column, then the step out of it.
    const end = firstWhere(t, lastT, (candidate) => edge.u(candidate) !== column) - 1;
    if (end >= lastT) return;
    emitStep(edge, end, emit);
    t = end + 1;
  }
}

/** Smallest t in [from, to] where the monotone `test` holds, or to + 1. */
function firstWhere(from: number, to: number, test: (t: number) => boolean): number {
  let lo = from;
  let hi = to + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (test(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
