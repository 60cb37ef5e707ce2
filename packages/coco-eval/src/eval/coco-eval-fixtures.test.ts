import { describe, expect, it } from 'vitest';
import { RUN_NAMES, runFixture } from '../../test/fixture-runs';

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

    // Stats bit for bit (numpy's pairwise summation is reproduced), printed lines verbatim.
    expect(summary.stats).toEqual(expected.stats);
    expect(summary.lines).toEqual(expected.summary_lines);

    const precisionAt = (t: number, r: number, k: number, a: number, m: number) =>
      accumulation.precision[(((t * R + r) * K + k) * A + a) * M + m];
    const grid = <V>(f: (t: number, k: number, a: number, m: number) => V) =>
      Array.from({ length: T }, (_, t) =>
        Array.from({ length: K }, (_, k) =>
          Array.from({ length: A }, (_, a) => Array.from({ length: M }, (_, m) => f(t, k, a, m))),
        ),
      );
    // expected.json took np.mean(precision, axis=1): a reduction over a strided axis, which
    // numpy adds in order (not pairwise), so a running sum reproduces it bit for bit.
    const meanOverRecall = grid((t, k, a, m) => {
      let sum = 0;
      for (let r = 0; r < R; r++) sum += precisionAt(t, r, k, a, m);
      return sum / R;
    });
    expect(meanOverRecall).toEqual(expected.precision_mean_over_recall_TKAM);
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
