import { describe, expect, it } from 'vitest';
import { SHAPE_NAMES, STAR_KEYPOINT_FLIP_MAP } from './categories';
import { type PlacedShape, rasterizeShape, STAR_MAX_ROTATION, starKeypoints, unitShapeArea } from './shapes';

const place = (shape: PlacedShape['shape'], overrides: Partial<PlacedShape> = {}): PlacedShape => ({
  shape,
  centerX: 100.3,
  centerY: 90.7,
  radius: 80,
  angle: 0.3,
  innerRatio: shape === 'ring' ? 0.55 : 0,
  ...overrides,
});

describe('shapes', () => {
  it.each(SHAPE_NAMES)('%s: rasterized pixel count matches the analytic area within 1%%', (shape) => {
    const placed = place(shape, shape === 'star' ? { angle: 0.2 } : {});
    let count = 0;
    rasterizeShape(placed, 200, 200, () => count++);
    const area = unitShapeArea(shape, placed.innerRatio) * placed.radius ** 2;
    expect(Math.abs(count - area) / area).toBeLessThan(0.01);
  });

  it('the flip map mirrors the star keypoints: flip(image) keypoint FLIP[i] = mirror of keypoint i', () => {
    const width = 240;
    for (const angle of [-STAR_MAX_ROTATION, -0.1, 0, 0.25, STAR_MAX_ROTATION]) {
      const star = place('star', { angle });
      const mirrored = place('star', { centerX: width - star.centerX, angle: -angle });
      const points = starKeypoints(star);
      const flipped = starKeypoints(mirrored);
      points.forEach(([x, y], i) => {
        const [fx, fy] = flipped[STAR_KEYPOINT_FLIP_MAP[i]];
        expect(fx).toBeCloseTo(width - x, 9);
        expect(fy).toBeCloseTo(y, 9);
      });
      // The names hold at every allowed rotation: 'top' is the highest tip, right_upper right of centre.
      const ys = points.slice(0, 5).map(([, y]) => y);
      expect(Math.min(...ys)).toBe(ys[0]);
      expect(points[1][0]).toBeGreaterThan(star.centerX);
      expect(points[4][0]).toBeLessThan(star.centerX);
    }
  });

  it('keypoints lie on the drawn star (tips inside their arm, centre inside)', () => {
    const star = place('star', { radius: 30 });
    const inside = new Set<number>();
    rasterizeShape(star, 200, 200, (i) => inside.add(i));
    for (const [x, y] of starKeypoints(star))
      expect(inside.has(Math.floor(y) * 200 + Math.floor(x))).toBe(true);
  });
});
