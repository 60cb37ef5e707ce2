import { seededRandom } from '@rcnn/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AreaDownscaler } from './area-downscaler';

/**
 * The definition, computed independently: output pixel (i, j) is the mean of the input
 * over the rectangle [j * inW / outW, (j + 1) * inW / outW) x [i * inH / outH, ...),
 * each input pixel weighted by the area of its overlap with that rectangle.
 */
function areaResizeReference(
  data: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float64Array {
  const out = new Float64Array(outWidth * outHeight * 3);
  const sx = width / outWidth;
  const sy = height / outHeight;
  for (let i = 0; i < outHeight; i++) {
    for (let j = 0; j < outWidth; j++) {
      for (let y = Math.floor(i * sy); y < Math.min(height, Math.ceil((i + 1) * sy)); y++) {
        const wy = Math.min(y + 1, (i + 1) * sy) - Math.max(y, i * sy);
        for (let x = Math.floor(j * sx); x < Math.min(width, Math.ceil((j + 1) * sx)); x++) {
          const w = wy * (Math.min(x + 1, (j + 1) * sx) - Math.max(x, j * sx));
          for (let c = 0; c < 3; c++) out[(i * outWidth + j) * 3 + c]! += w * data[(y * width + x) * 3 + c]!;
        }
      }
      for (let c = 0; c < 3; c++) out[(i * outWidth + j) * 3 + c]! /= sx * sy;
    }
  }
  return out;
}

function downscale(data: Uint8Array, width: number, height: number, outWidth: number, outHeight: number) {
  const downscaler = new AreaDownscaler(width, height, outWidth, outHeight);
  for (let y = 0; y < height; y++) downscaler.addRow(y, data.subarray(y * width * 3, (y + 1) * width * 3));
  return downscaler.finish();
}

describe('AreaDownscaler', () => {
  it('matches the area-average definition for any shrink (rounded to the nearest level)', () => {
    const sizes = fc
      .record({ width: fc.integer({ min: 1, max: 40 }), height: fc.integer({ min: 1, max: 40 }) })
      .chain(({ width, height }) =>
        fc.record({
          width: fc.constant(width),
          height: fc.constant(height),
          outWidth: fc.integer({ min: 1, max: width }),
          outHeight: fc.integer({ min: 1, max: height }),
          seed: fc.integer({ min: 1, max: 1e6 }),
        }),
      );
    fc.assert(
      fc.property(sizes, ({ width, height, outWidth, outHeight, seed }) => {
        const random = seededRandom(seed);
        const data = Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256));
        const got = downscale(data, width, height, outWidth, outHeight);
        const want = areaResizeReference(data, width, height, outWidth, outHeight);
        for (let i = 0; i < got.length; i++) {
          // Exact up to summation order: only a mean within 1e-9 of a .5 tie may round the other way.
          if (Math.abs(got[i]! - want[i]!) > 0.5 + 1e-9) {
            throw new Error(`pixel value ${i}: ${got[i]} vs reference ${want[i]}`);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is the exact k x k block mean for integer factors, and accepts rows in any order, sparse', () => {
    const random = seededRandom(5);
    const width = 12;
    const height = 9;
    const data = Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256));
    const inOrder = downscale(data, width, height, 4, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let y = 0; y < 3; y++)
            for (let x = 0; x < 3; x++) sum += data[((i * 3 + y) * width + j * 3 + x) * 3 + c]!;
          expect(inOrder[(i * 4 + j) * 3 + c]).toBe(Math.round(sum / 9));
        }
      }
    }
    // Even columns of every row, then odd columns in reverse row order (like Adam7 passes).
    const sparse = new AreaDownscaler(width, height, 4, 3);
    const pick = (y: number, start: number) => {
      const row = new Uint8Array(width * 3);
      let k = 0;
      for (let x = start; x < width; x += 2, k++)
        row.set(data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3), k * 3);
      return row;
    };
    for (let y = 0; y < height; y++) sparse.addRow(y, pick(y, 0), 0, 2, width / 2);
    for (let y = height - 1; y >= 0; y--) sparse.addRow(y, pick(y, 1), 1, 2, width / 2);
    expect(sparse.finish()).toEqual(inOrder);
  });

  it('refuses to enlarge', () => {
    expect(() => new AreaDownscaler(4, 4, 5, 4)).toThrowError(RangeError);
    expect(() => new AreaDownscaler(4, 4, 0, 4)).toThrowError(RangeError);
  });
});
