import type { ShapeName } from './categories';

/** Inner radius of the star (its concave vertices), as a fraction of the outer radius. */
export const STAR_INNER_RADIUS = 0.45;
/** Tip keypoints sit this far out along each tip (fraction of the outer radius), inside the drawn arm. */
export const STAR_TIP_KEYPOINT_RADIUS = 0.72;
/** Largest rotation of a star, radians (+-20 degrees): keeps the tip names of the keypoints unambiguous. */
export const STAR_MAX_ROTATION = (20 * Math.PI) / 180;

const CROSS_ARM = 0.95;
const CROSS_HALF_WIDTH = 0.3;
const SQUARE_HALF_SIDE = Math.SQRT1_2;
const SQRT3 = Math.sqrt(3);
const STAR_SECTOR = (2 * Math.PI) / 5;
// The star's edge in one folded half-sector: from the tip (1, 0) to the inner vertex.
const STAR_INNER_X = STAR_INNER_RADIUS * Math.cos(STAR_SECTOR / 2);
const STAR_INNER_Y = STAR_INNER_RADIUS * Math.sin(STAR_SECTOR / 2);

/**
 * One placed object: a shape of circumradius `radius` pixels centred at (`centerX`, `centerY`)
 * (continuous image coordinates, pixel (x, y) spans [x, x+1) x [y, y+1)), rotated by `angle`
 * radians (clockwise on screen, y pointing down). Every shape fits its circumscribed circle.
 */
export interface PlacedShape {
  shape: ShapeName;
  centerX: number;
  centerY: number;
  radius: number;
  angle: number;
  /** Inner radius of a ring as a fraction of `radius` (unused by other shapes). */
  innerRatio: number;
}

/**
 * Point-in-shape test in the shape's unit frame (circumradius 1, unrotated; the star and
 * triangle point up, y down).
 */
export function unitShapeTest(shape: ShapeName, innerRatio: number): (u: number, v: number) => boolean {
  switch (shape) {
    case 'disc':
      return (u, v) => u * u + v * v <= 1;
    case 'ring': {
      const inner2 = innerRatio * innerRatio;
      return (u, v) => {
        const r2 = u * u + v * v;
        return r2 <= 1 && r2 >= inner2;
      };
    }
    case 'square':
      return (u, v) => Math.abs(u) <= SQUARE_HALF_SIDE && Math.abs(v) <= SQUARE_HALF_SIDE;
    case 'triangle':
      // Vertices (0, -1), (+-sqrt(3)/2, 1/2): three half-planes.
      return (u, v) => v <= 0.5 && SQRT3 * u - v <= 1 && -SQRT3 * u - v <= 1;
    case 'cross':
      return (u, v) => {
        const au = Math.abs(u);
        const av = Math.abs(v);
        return (au <= CROSS_ARM && av <= CROSS_HALF_WIDTH) || (au <= CROSS_HALF_WIDTH && av <= CROSS_ARM);
      };
    case 'star':
      return starTest;
    default: {
      const unknown: never = shape;
      throw new Error(`unknown shape ${unknown as string}`);
    }
  }
}

/** The star is star-shaped about its centre: fold the angle into half a sector and test one edge. */
function starTest(u: number, v: number): boolean {
  const r2 = u * u + v * v;
  if (r2 > 1) return false;
  if (r2 <= STAR_INNER_RADIUS * STAR_INNER_RADIUS * 0.65) return true; // inside the inner pentagon's incircle
  let phi = (Math.atan2(v, u) + Math.PI / 2) % STAR_SECTOR; // 0 at a tip
  if (phi < 0) phi += STAR_SECTOR;
  if (phi > STAR_SECTOR / 2) phi = STAR_SECTOR - phi;
  const r = Math.sqrt(r2);
  const px = r * Math.cos(phi);
  const py = r * Math.sin(phi);
  // Same side of the line tip(1,0) -> inner vertex as the origin.
  return (STAR_INNER_X - 1) * py - STAR_INNER_Y * (px - 1) >= 0;
}

/** Area of the shape at circumradius 1 (square pixels per radius^2). */
export function unitShapeArea(shape: ShapeName, innerRatio: number): number {
  switch (shape) {
    case 'disc':
      return Math.PI;
    case 'ring':
      return Math.PI * (1 - innerRatio * innerRatio);
    case 'square':
      return 4 * SQUARE_HALF_SIDE * SQUARE_HALF_SIDE;
    case 'triangle':
      return (3 * SQRT3) / 4;
    case 'cross':
      return 8 * CROSS_ARM * CROSS_HALF_WIDTH - 4 * CROSS_HALF_WIDTH * CROSS_HALF_WIDTH;
    case 'star':
      return 5 * STAR_INNER_RADIUS * Math.sin(STAR_SECTOR / 2);
    default: {
      const unknown: never = shape;
      throw new Error(`unknown shape ${unknown as string}`);
    }
  }
}

/**
 * Calls `visit(pixelIndex)` for every pixel of a `width` x `height` image whose centre
 * lies in the shape (row-major index `y * width + x`), row by row.
 */
export function rasterizeShape(
  placed: PlacedShape,
  width: number,
  height: number,
  visit: (index: number) => void,
): void {
  const { centerX, centerY, radius, angle } = placed;
  const test = unitShapeTest(placed.shape, placed.innerRatio);
  const cos = Math.cos(angle) / radius;
  const sin = Math.sin(angle) / radius;
  const x0 = Math.max(0, Math.floor(centerX - radius));
  const x1 = Math.min(width - 1, Math.ceil(centerX + radius));
  const y0 = Math.max(0, Math.floor(centerY - radius));
  const y1 = Math.min(height - 1, Math.ceil(centerY + radius));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - centerY;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - centerX;
      if (test(dx * cos + dy * sin, dy * cos - dx * sin)) visit(y * width + x);
    }
  }
}

/**
 * The star's keypoints in image coordinates, in `STAR_KEYPOINT_NAMES` order: each tip at
 * `STAR_TIP_KEYPOINT_RADIUS` of the way out, then the centre.
 */
export function starKeypoints(placed: PlacedShape): [number, number][] {
  const points: [number, number][] = [];
  for (let k = 0; k < 5; k++) {
    const local = -Math.PI / 2 + k * STAR_SECTOR;
    const r = STAR_TIP_KEYPOINT_RADIUS * placed.radius;
    points.push([
      placed.centerX + r * Math.cos(local + placed.angle),
      placed.centerY + r * Math.sin(local + placed.angle),
    ]);
  }
  points.push([placed.centerX, placed.centerY]);
  return points;
}
