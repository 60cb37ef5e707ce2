import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMask, encodeMask } from './encode-mask';
import { bboxIou, rleIou } from './iou';
import { mergeRles } from './merge-rles';
import { type Rle, rleArea, rleToBbox } from './rle';
import { rleFromString, rleToString } from './rle-string';

/** A random binary mask with its size (row-major). */
const maskArbitrary = fc
  .record({ height: fc.integer({ min: 1, max: 12 }), width: fc.integer({ min: 1, max: 12 }) })
  .chain(({ height, width }) =>
    fc.record({
      height: fc.constant(height),
      width: fc.constant(width),
      mask: fc.array(fc.integer({ min: 0, max: 1 }), {
        minLength: height * width,
        maxLength: height * width,
      }),
    }),
  );

/** maskApi.c rleToBbox, straight from its definition (division per run), as the oracle. */
function naiveToBbox(rle: Rle): number[] {
  const h = rle.height;
  const m = rle.counts.length - (rle.counts.length % 2);
  if (m === 0) return [0, 0, 0, 0];
  let xs = rle.width;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc = (cc + rle.counts[j]) >>> 0;
    const t = (cc - (j % 2)) >>> 0;
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = h - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  // uint arithmetic, as in C.
  return [xs, ys, (xe - xs + 1) >>> 0, (ye - ys + 1) >>> 0];
}

describe('RLE properties', () => {
  it('encode -> string -> decode round-trips, and decode(encode(m)) = m', () => {
    fc.assert(
      fc.property(maskArbitrary, ({ height, width, mask }) => {
        const rle = encodeMask(mask, height, width);
        expect(Array.from(rleFromString(rleToString(rle.counts)))).toEqual(Array.from(rle.counts));
        expect(Array.from(decodeMask(rle))).toEqual(mask);
        expect(rleArea(rle)).toBe(mask.filter((v) => v === 1).length);
      }),
      { numRuns: 300 },
    );
  });

  it('string form round-trips any run list (including zero runs and big values)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 }), (runs) => {
        expect(Array.from(rleFromString(rleToString(runs)))).toEqual(runs);
      }),
      { numRuns: 500 },
    );
  });

  it('toBbox equals the division-per-run definition, also with zero-length runs', () => {
    const runsArbitrary = fc
      .record({ height: fc.integer({ min: 1, max: 9 }), width: fc.integer({ min: 1, max: 9 }) })
      .chain(({ height, width }) =>
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 }).map((lengths) => {
          // Trim or pad the runs so they sum to height * width.
          const counts: number[] = [];
          let left = height * width;
          for (const length of lengths) {
            const run = Math.min(length, left);
            counts.push(run);
            left -= run;
          }
          counts.push(left);
          return { height, width, counts: Uint32Array.from(counts) };
        }),
      );
    fc.assert(
      fc.property(runsArbitrary, (rle) => {
        expect(rleToBbox(rle)).toEqual(naiveToBbox(rle));
      }),
      { numRuns: 1000 },
    );
  });

  it('merge and IoU agree with dense masks', () => {
    const pair = maskArbitrary.chain((a) =>
      fc.record({
        a: fc.constant(a),
        b: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: a.mask.length, maxLength: a.mask.length }),
        crowd: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(pair, ({ a, b, crowd }) => {
        const ra = encodeMask(a.mask, a.height, a.width);
        const rb = encodeMask(b, a.height, a.width);
        const union = a.mask.map((v, i) => v | b[i]);
        const both = a.mask.map((v, i) => v & b[i]);
        expect(Array.from(decodeMask(mergeRles([ra, rb])))).toEqual(union);
        expect(Array.from(decodeMask(mergeRles([ra, rb], true)))).toEqual(both);
        const shared = both.filter(Boolean).length;
        const areaA = a.mask.filter(Boolean).length;
        const expected = shared === 0 ? 0 : shared / (crowd ? areaA : union.filter(Boolean).length);
        expect(rleIou([ra], [rb], [crowd ? 1 : 0])[0]).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('masks of different sizes: -1 when their boxes overlap, else 0 (maskApi.c rleIou)', () => {
    const a = encodeMask([1, 1, 1, 1], 2, 2);
    const b = encodeMask([1, 1, 1, 1, 1, 1], 2, 3);
    const c = encodeMask([0, 0, 0, 0, 0, 0, 0, 0, 1], 3, 3);
    expect(rleIou([a], [b])[0]).toBe(-1);
    expect(rleIou([a], [c])[0]).toBe(0);
  });

  it('bboxIou: [D, G] layout, crowd union is the detection area', () => {
    const ious = bboxIou(
      [
        [0, 0, 10, 10],
        [5, 5, 10, 10],
      ],
      [
        [0, 0, 10, 10],
        [0, 0, 20, 20],
        [100, 100, 1, 1],
      ],
      [0, 1, 0],
    );
    expect(Array.from(ious)).toEqual([1, 1, 0, 25 / 175, 1, 0]);
  });
});
