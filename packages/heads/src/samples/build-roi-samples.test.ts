import { asBoxes, BoxCoder, type GroundTruth, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureArray, fixtureTensor, readHeadsFixture } from '../test-support/fixtures';
import { appendGtProposals } from './append-gt-proposals';
import { buildRoiSamples, disposeRoiSamples } from './build-roi-samples';
import { matcherRoiSampler } from './matcher-roi-sampler';
import type { RoiMatch } from './roi-sampler';

const fixture = readHeadsFixture('losses.safetensors');
const boxCoder = new BoxCoder({ weights: [10, 10, 5, 5] });

describeEachBackend('buildRoiSamples vs torchvision select_training_samples', () => {
  let groundTruth: GroundTruth;
  let proposals: ReturnType<typeof asBoxes>;
  const match: RoiMatch = {
    matchedGtIndices: fixtureArray(fixture, 'samples/matchedGtIndices'),
    sampledPositive: fixtureArray(fixture, 'samples/sampledPositive'),
    sampledNegative: fixtureArray(fixture, 'samples/sampledNegative'),
  };

  beforeAll(() => {
    groundTruth = {
      boxes: asBoxes(fixtureTensor(fixture, 'samples/gtBoxes')),
      labels: fixtureTensor(fixture, 'samples/gtLabels') as tf.Tensor1D,
    };
    const raw = asBoxes(fixtureTensor(fixture, 'samples/proposals'));
    proposals = appendGtProposals(raw, groundTruth.boxes);
    raw.dispose();
  });
  afterAll(() => tf.dispose([groundTruth.boxes, groundTruth.labels, proposals]));

  it('gives torchvision sampled boxes, labels, matched indices and positive targets', async () => {
    const samples = buildRoiSamples({ proposals, groundTruth, match, boxCoder });
    expect(maxAbsDiff(samples.boxes, fixtureArray(fixture, 'samples/boxes'))).toBe(0);
    expect(Array.from(await samples.labels.data())).toEqual(fixtureArray(fixture, 'samples/labels'));
    expect(Array.from(await samples.matchedGtIndices.data())).toEqual(
      fixtureArray(fixture, 'samples/sampledMatchedGtIndices'),
    );
    const labels = fixtureArray(fixture, 'samples/labels');
    const positions = labels.flatMap((label, i) => (label > 0 ? [i] : []));
    expect(Array.from(samples.positivePositions)).toEqual(positions);
    const expectedTargets = fixtureArray(fixture, 'samples/regressionTargets');
    const targets = await samples.regressionTargets.data();
    for (const row of positions) {
      for (let j = 0; j < 4; j++) expect(targets[4 * row + j]).toBeCloseTo(expectedTargets[4 * row + j]!, 5);
    }
    // negatives get zero targets (torchvision's are computed against GT 0 and never read)
    labels.forEach((label, row) => {
      if (label === 0) expect(Array.from(targets.slice(4 * row, 4 * row + 4))).toEqual([0, 0, 0, 0]);
    });
    disposeRoiSamples(samples);
  });

  it('composes with core Matcher + BalancedSampler through the RoiSampler seam', async () => {
    const [fromCore] = await matcherRoiSampler({ batchSizePerImage: 16 }).matchAndSample(
      [proposals],
      [groundTruth],
    );
    expect(Array.from(fromCore!.matchedGtIndices)).toEqual(match.matchedGtIndices);
    expect(fromCore!.sampledPositive.length).toBe(4); // 25% of 16
    expect(fromCore!.sampledNegative.length).toBe(12);
    const samples = buildRoiSamples({ proposals, groundTruth, match: fromCore!, boxCoder });
    expect(samples.boxes.shape).toEqual([16, 4]);
    expect(samples.positivePositions.length).toBe(4);
    disposeRoiSamples(samples);
  });

  it('handles an image without ground truth (all negatives)', async () => {
    const empty: GroundTruth = {
      boxes: asBoxes(tf.zeros([0, 4])),
      labels: tf.zeros([0], 'int32') as tf.Tensor1D,
    };
    const samples = buildRoiSamples({
      proposals,
      groundTruth: empty,
      match: { matchedGtIndices: new Int32Array(43).fill(-1), sampledPositive: [], sampledNegative: [3, 7] },
      boxCoder,
    });
    expect(samples.boxes.shape).toEqual([2, 4]);
    expect(Array.from(await samples.labels.data())).toEqual([0, 0]);
    expect(samples.positivePositions.length).toBe(0);
    disposeRoiSamples(samples);
    tf.dispose([empty.boxes, empty.labels]);
  });

  it('rejects inconsistent matches', () => {
    const bad = (override: Partial<RoiMatch>) => () =>
      buildRoiSamples({ proposals, groundTruth, match: { ...match, ...override }, boxCoder });
    expect(bad({ matchedGtIndices: [0, 1] })).toThrow(/2 entries for 43 proposals/);
    expect(bad({ sampledPositive: [6] })).toThrow(/positive proposal 6 has matched GT index -1/);
    expect(bad({ sampledNegative: [43] })).toThrow(RcnnError);
    expect(bad({ sampledNegative: [1] })).toThrow(/sampled twice/);
  });

  it('does not leak', async () => {
    await expectNoLeaks(() => {
      const withGt = appendGtProposals(proposals, groundTruth.boxes);
      disposeRoiSamples(buildRoiSamples({ proposals, groundTruth, match, boxCoder }));
      withGt.dispose();
    });
  });
});
