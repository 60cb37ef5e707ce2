import { describe, expect, it } from 'vitest';
import { type LabelRect, placeLabels } from './label-placement';

const canvas = { width: 200, height: 120 };
const size = { width: 40, height: 9 };

function disjoint(rects: readonly LabelRect[]): boolean {
  return rects.every((a, i) =>
    rects.every(
      (b, j) => i === j || a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top,
    ),
  );
}

function inside(rect: LabelRect): boolean {
  return rect.left >= 0 && rect.top >= 0 && rect.right <= canvas.width && rect.bottom <= canvas.height;
}

describe('placeLabels', () => {
  it('puts a lone label right above its box', () => {
    const [rect] = placeLabels([[30, 50, 90, 100]], [size], canvas);
    expect(rect).toEqual({ left: 30, top: 41, right: 70, bottom: 50 });
  });

  it('moves a label inside the box when the box touches the top edge', () => {
    const [rect] = placeLabels([[30, 2, 90, 100]], [size], canvas);
    expect(rect).toEqual({ left: 30, top: 2, right: 70, bottom: 11 });
  });

  it('keeps labels of boxes that share a corner from covering each other', () => {
    const boxes = Array.from({ length: 6 }, () => [50, 40, 120, 90] as const);
    const rects = placeLabels(
      boxes,
      boxes.map(() => size),
      canvas,
    );
    expect(disjoint(rects)).toBe(true);
    expect(rects.every(inside)).toBe(true);
    // The first (best-scoring) label keeps the spot above its box.
    expect(rects[0]).toEqual({ left: 50, top: 31, right: 90, bottom: 40 });
  });

  it('clips labels to the canvas at the right and bottom edges', () => {
    const [rect] = placeLabels([[190, 115, 200, 120]], [size], canvas);
    expect(inside(rect!)).toBe(true);
  });

  it('overlaps as little as it can when the canvas is full', () => {
    const tiny = { width: 40, height: 18 };
    const boxes = Array.from({ length: 3 }, () => [0, 0, 40, 18] as const);
    const rects = placeLabels(
      boxes,
      boxes.map(() => size),
      tiny,
    );
    expect(rects).toHaveLength(3);
    expect(rects[0]).toEqual({ left: 0, top: 0, right: 40, bottom: 9 });
    expect(rects[1]).toEqual({ left: 0, top: 9, right: 40, bottom: 18 });
  });
});
