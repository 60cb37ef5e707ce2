import { useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deterministicWeightsFor } from './deterministic-weights-for';
import type { GeneralizedRcnn } from './generalized-rcnn';
import { smallModelUnloaded } from './test-support/small-model';

/** Runs `body` with tfjs production mode off and returns what it printed through console.warn. */
function warnings(body: () => void): string[] {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', false);
  try {
    body();
    return warn.mock.calls.map((args) => args.map(String).join(' '));
  } finally {
    tf.env().set('PROD', prod);
    warn.mockRestore();
  }
}

// One note per process: the cases run in this order, on small ResNet-18 detectors.
describe('deterministicWeightsFor note about untrained scores', () => {
  let keepAll: GeneralizedRcnn;
  let thresholded: GeneralizedRcnn;
  let expected: string[];
  beforeAll(async () => {
    await useBackend('cpu');
    keepAll = smallModelUnloaded('fasterrcnn', { boxScoreThresh: 0 });
    thresholded = smallModelUnloaded('fasterrcnn');
    expected = thresholded.stateDictShapes().map(([name]) => name);
  });
  afterAll(() => {
    keepAll.dispose();
    thresholded.dispose();
  });

  it('is silent in tfjs production mode (the test setup and the CLI turn it on)', () => {
    expect(tf.env().getBool('PROD')).toBe(true);
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect([...deterministicWeightsFor(thresholded).keys()]).toEqual(expected);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('is silent when every detection is kept (boxScoreThresh 0) or when quiet', () => {
    expect(warnings(() => deterministicWeightsFor(keepAll))).toEqual([]);
    expect(warnings(() => deterministicWeightsFor(thresholded, { quiet: true }))).toEqual([]);
  });

  it('says once that predict may return nothing, naming the threshold and the fix', () => {
    const first = warnings(() => deterministicWeightsFor(thresholded));
    expect(first).toHaveLength(1);
    expect(first[0]).toContain('untrained test weights');
    expect(first[0]).toContain('boxScoreThresh 0.05');
    expect(first[0]).toContain('{ boxScoreThresh: 0, boxDetectionsPerImg: 10 }');
    expect(warnings(() => deterministicWeightsFor(thresholded))).toEqual([]);
  });
});
