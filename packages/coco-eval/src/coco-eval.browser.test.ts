import { describe, expect, it } from 'vitest';
import dt from './__fixtures__/small/dt.json';
import expected from './__fixtures__/small/expected.json';
import gt from './__fixtures__/small/gt.json';
import { CocoDataset, CocoEval, type IouType, rleFromString, rleToString } from './index';

describe('coco-eval in a browser (Chromium)', () => {
  it.each(['bbox', 'segm'] as IouType[])('%s stats equal pycocotools', (iouType) => {
    const groundTruth = CocoDataset.fromJson(gt);
    const evaluator = new CocoEval(groundTruth, groundTruth.loadResults(dt), iouType);
    evaluator.evaluate();
    evaluator.accumulate();
    const summary = evaluator.summarize();
    const run = (expected as unknown as Record<string, { stats: number[]; summary_lines: string[] }>)[
      iouType
    ];
    expect(summary.stats).toEqual(run.stats);
    expect(summary.lines).toEqual(run.summary_lines);
    expect(typeof window).toBe('object');
  });

  it('RLE strings round-trip', () => {
    expect(rleToString(rleFromString('f9:d000000000000000000R9'))).toBe('f9:d000000000000000000R9');
  });
});
