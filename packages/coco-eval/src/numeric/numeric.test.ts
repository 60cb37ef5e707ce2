import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/read-fixture';
import { COCO_KEYPOINT_SIGMAS, defaultParams } from '../eval/params';
import { formatFixed } from './format-fixed';
import { linspace } from './linspace';
import { numpyMean, numpySum } from './numpy-sum';
import { orderByScore } from './order-by-score';

const params = readFixture<{
  default_params: {
    det: { iouThrs: number[]; recThrs: number[]; areaRng: number[][]; maxDets: number[] };
    keypoints: { kpt_oks_sigmas: number[]; areaRng: number[][]; maxDets: number[] };
  };
}>('small/expected.json').default_params;

describe('numpy and Python behaviour the numbers depend on', () => {
  it("linspace gives pycocotools' exact thresholds (0.8999999999999999, 0.35000000000000003)", () => {
    expect(linspace(0.5, 0.95, 10)).toEqual(params.det.iouThrs);
    expect(linspace(0, 1, 101)).toEqual(params.det.recThrs);
    expect(defaultParams('bbox').iouThrs[8]).toBe(0.8999999999999999);
    expect(defaultParams('bbox').areaRng).toEqual(params.det.areaRng);
    expect(defaultParams('keypoints').areaRng).toEqual(params.keypoints.areaRng);
    expect(defaultParams('keypoints').maxDets).toEqual(params.keypoints.maxDets);
    expect(COCO_KEYPOINT_SIGMAS).toEqual(params.keypoints.kpt_oks_sigmas);
  });

  it('formats like Python: ties to even from the exact binary value', () => {
    expect(formatFixed(0.0625, 3)).toBe('0.062');
    expect(formatFixed(0.1875, 3)).toBe('0.188');
    expect(formatFixed(0.2867485359912462, 3)).toBe('0.287');
    expect(formatFixed(-1, 3)).toBe('-1.000');
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.95, 2)).toBe('0.95');
    expect(formatFixed(0.5, 2)).toBe('0.50');
    expect(formatFixed(1, 3)).toBe('1.000');
    expect(formatFixed(0.9995, 3)).toBe('1.000'); // 0.99950000000000005507 in binary
  });

  it('sums pairwise in blocks of 8 like np.sum (differs from a running sum)', () => {
    const tenths = Array(10).fill(0.1);
    expect(numpySum(tenths)).toBe(1);
    expect(tenths.reduce((a, b) => a + b, 0)).toBe(0.9999999999999999);
    const many = Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
    const halves = numpySum(many, 0, 496) + numpySum(many, 496, 1000);
    expect(numpySum(many)).toBe(halves);
    expect(numpyMean([1, 2, 3, 4])).toBe(2.5);
    expect(numpySum([])).toBe(0);
  });
});

describe('orderByScore', () => {
  it('equals a stable sort by descending score (np.argsort(-s, kind="mergesort"))', () => {
    const score = fc.oneof(fc.constantFrom(0, -0, 0.5, 1, 0.25), fc.double({ min: -2, max: 2, noNaN: true }));
    fc.assert(
      fc.property(fc.array(score, { maxLength: 60 }), (values) => {
        const scores = Float64Array.from(values);
        const slots = Int32Array.from(values.keys());
        orderByScore(slots, slots.length, scores, {
          keys: new Float64Array(values.length),
          distinct: new Float64Array(values.length),
        });
        const expected = [...values.keys()].sort((a, b) => values[b] - values[a] || a - b);
        expect(Array.from(slots)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
