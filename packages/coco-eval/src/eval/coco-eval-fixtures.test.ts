import { describe, expect, it } from 'vitest';
import { RUN_NAMES, runFixture } from '../../test/fixture-runs';
import { numpyMean } from '../numeric/numpy-sum';

/** Largest |a - b| over two equally shaped nested lists (shape mismatch fails the test). */
function maxAbsDiff(actual: unknown, expected: unknown): number {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length === expected.length).toBe(true);
    return Math.max(0, ...expected.map((value, i) => maxAbsDiff((actual as unknown[])[i], value)));
  }
  return Math.abs((actual as number) - (expected as number));
}

describe.each(['small', 'medium'] as const)('CocoEval equals pycocotools on the %s fixture', (set) => {
  it.each(RUN_NAMES)('%s', (runName) => {
    const { expected, evaluator, summary } = runFixture(set, runName);
    const accumulation = evaluator.eval!;
    const [T, R, K, A, M] = accumulation.counts;
    expect([T, K, A, M]).toEqual([
      10,
      expected.catIds.length,
      expected.recall_TKAM[0][0].length,
      expected.maxDets.length,
    ]);

    // Stats to 1e-12 (exact in practice: numpy's pairwise summation is reproduced), printed lines verbatim.
    expect(maxAbsDiff(summary.stats, expected.stats)).toBeLessThanOrEqual(1e-12);
    expect(summary.lines).toEqual(expected.summary_lines);

    const precisionAt = (t: number, r: number, k: number, a: number, m: number) =>
      accumulation.precision[(((t * R + r) * K + k) * A + a) * M + m];
    const grid = <V>(f: (t: number, k: number, a: number, m: number) => V) =>
      Array.from({ length: T }, (_, t) =>
        Array.from({ length: K }, (_, k) =>
          Array.from({ length: A }, (_, a) => Array.from({ length: M }, (_, m) => f(t, k, a, m))),
        ),
      );
    const meanOverRecall = grid((t, k, a, m) =>
      numpyMean(Array.from({ length: R }, (_, r) => precisionAt(t, r, k, a, m))),
    );
    expect(maxAbsDiff(meanOverRecall, expected.precision_mean_over_recall_TKAM)).toBeLessThanOrEqual(1e-12);
    const recall = grid((t, k, a, m) => accumulation.recall[((t * K + k) * A + a) * M + m]);
    expect(recall).toEqual(expected.recall_TKAM);

    const { iouThr_index, areaRng_index: a, maxDet_index: m } = expected.precision_curves;
    iouThr_index.forEach((t, i) => {
      for (let k = 0; k < K; k++) {
        const curve = Array.from({ length: R }, (_, r) => precisionAt(t, r, k, a, m));
        const scores = Array.from(
          { length: R },
          (_, r) => accumulation.scores[(((t * R + r) * K + k) * A + a) * M + m],
        );
        expect(curve).toEqual(expected.precision_curves.values[i][k]);
        expect(scores).toEqual(expected.scores_curves.values[i][k]);
      }
    });

    const records = evaluator.evalImgs;
    expect(records.length).toBe(expected.num_evalImgs);
    const present = records.filter((record) => record !== null);
    expect(present.length).toBe(expected.num_evalImgs_not_none);
    if (expected.evalImgs) expect(present).toEqual(expected.evalImgs);
  });
});
