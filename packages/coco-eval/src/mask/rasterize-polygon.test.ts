import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rleFromPolygon } from './rle-from-polygon';

/**
 * maskApi.c's rleFrPoly written out literally (every upsampled boundary point, then
 * every consecutive pair): slow, but obviously the C algorithm. The fast rasterizer
 * (window clipping, stride-5 flat edges, binary search on long steep edges) must give
 * the same runs.
 */
function naiveRleFromPolygon(polygon: number[], h: number, w: number): number[] {
  const toInt = (v: number) => (v > -2147483649 && v < 2147483648 ? Math.trunc(v) : -2147483648);
  const k = polygon.length / 2;
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < k; j++) {
    x.push(toInt(5 * polygon[2 * j] + 0.5));
    y.push(toInt(5 * polygon[2 * j + 1] + 0.5));
  }
  x.push(x[0]);
  y.push(y[0]);
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j];
    let xe = x[j + 1];
    let ys = y[j];
    let ye = y[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) [xs, xe, ys, ye] = [xe, xs, ye, ys];
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(toInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(toInt(xs + s * t + 0.5));
      }
    }
  }
  const offsets: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / 5 - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
    yd = (yd + 0.5) / 5 - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    offsets.push(xd * h + Math.ceil(yd));
  }
  offsets.push(h * w);
  offsets.sort((a, b) => a - b);
  const a: number[] = [];
  let p = 0;
  for (const t of offsets) {
    a.push(t - p);
    p = t;
  }
  const b = [a[0]];
  let j = 1;
  while (j < a.length) {
    if (a[j] > 0) b.push(a[j++]);
    else {
      j++;
      if (j < a.length) b[b.length - 1] += a[j++];
    }
  }
  return b;
}

const coordinate = (limit: number) =>
  fc.oneof(
    fc.double({ min: -limit, max: limit, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -limit, max: limit }),
    fc.integer({ min: -40, max: 80 }).map((n) => n / 4),
  );

describe('rasterizePolygon equals a literal transcription of rleFrPoly', () => {
  it('random polygons in and around small images', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(coordinate(60), coordinate(60)), { minLength: 1, maxLength: 12 }),
        (h, w, points) => {
          const polygon = points.flat();
          expect(Array.from(rleFromPolygon(polygon, h, w).counts)).toEqual(
            naiveRleFromPolygon(polygon, h, w),
          );
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('long edges far outside the image (window clipping, binary-searched steep edges)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.tuple(coordinate(20000), coordinate(20000)), { minLength: 2, maxLength: 5 }),
        (h, w, points) => {
          const polygon = points.flat();
          expect(Array.from(rleFromPolygon(polygon, h, w).counts)).toEqual(
            naiveRleFromPolygon(polygon, h, w),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('near-vertical edges longer than the walk limit crossing the image', () => {
    const cases = [
      [10.2, -900, 11.7, 950, 3, 940],
      [-0.3, -2000, 25.9, 2100, 12, 2000, 5, -1500],
      [19.9, 3000, 0.1, -3000, 40, 0],
    ];
    for (const polygon of cases) {
      expect(Array.from(rleFromPolygon(polygon, 20, 30).counts)).toEqual(
        naiveRleFromPolygon(polygon, 20, 30),
      );
    }
  });

  it('stays fast for coordinates far outside the image', () => {
    const started = performance.now();
    const rle = rleFromPolygon([-9e7, -9e7, 9e7, -8e7, 8e7, 9e7, -7e7, 9.5e7], 50, 60);
    expect(rle.counts.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
