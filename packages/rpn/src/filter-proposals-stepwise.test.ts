import { asBoxes, BoxCoder, type ImageSize, type Proposals } from '@rcnn/core';
import { describeEachBackend, disposeAll, randomBoxes, seededRandom } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { stepwiseFilterProposals } from '../test/stepwise-filter-proposals';
import { type FilterProposalsInput, filterProposals, type ProposalFilterOptions } from './filter-proposals';

/**
 * Head outputs made to stress the filters: logits on a 0.5 grid (many equal scores within and
 * across levels, and sigmoid(0) = 0.5 exactly), every `collapseEvery`-th anchor of zero width
 * (dropped as small), anchors from -10 to 50 px (clipped, some to zero width).
 */
function stressInput(
  numAnchorsPerLevel: number[],
  imageSizes: ImageSize[],
  collapseEvery: number,
): FilterProposalsInput {
  const anchorCount = numAnchorsPerLevel.reduce((a, b) => a + b, 0);
  const batch = imageSizes.length;
  const random = seededRandom(7);
  const anchors = randomBoxes(anchorCount, { width: 60, height: 60, seed: 3 }).map((v) => v - 10);
  for (let i = 0; i < anchorCount; i += collapseEvery) anchors[i * 4 + 2] = anchors[i * 4]!;
  const logits = Float32Array.from({ length: batch * anchorCount }, () => Math.round(random() * 12 - 6) / 2);
  const deltas = Float32Array.from({ length: batch * anchorCount * 4 }, () => random() * 0.6 - 0.3);
  return {
    anchors: asBoxes(tf.tensor2d(anchors, [anchorCount, 4])),
    head: {
      objectness: tf.tensor2d(logits, [batch, anchorCount]),
      boxDeltas: tf.tensor3d(deltas, [batch, anchorCount, 4]),
      numAnchorsPerLevel,
    },
    imageSizes,
    boxCoder: new BoxCoder({ weights: [1, 1, 1, 1] }),
  };
}

async function expectIdentical(actual: Proposals[], expected: Proposals[], label: string): Promise<void> {
  expect(actual).toHaveLength(expected.length);
  for (const [image, { boxes, scores }] of expected.entries()) {
    expect(actual[image]!.boxes.shape, `${label}, image ${image}`).toEqual(boxes.shape);
    expect(await actual[image]!.boxes.data(), `${label}, image ${image}`).toEqual(await boxes.data());
    expect(await actual[image]!.scores.data(), `${label}, image ${image}`).toEqual(await scores.data());
  }
}

describeEachBackend(
  'filterProposals against the stepwise reference (one read-back vs. a read per step)',
  () => {
    it('is bit-identical: equal scores, a threshold equal to scores, small and clipped boxes, per-level NMS', async () => {
      const input = stressInput(
        [40, 30, 12],
        [
          [30, 40],
          [45, 25],
        ],
        7,
      );
      const base = { preNmsTopN: 25, postNmsTopN: 100, nmsThresh: 0.7, scoreThresh: 0, minSize: 1e-3 };
      for (const options of [
        base,
        { ...base, scoreThresh: 0.5 }, // sigmoid(0): candidates exactly at the threshold stay
        { ...base, scoreThresh: 0.6, nmsThresh: 0.3 },
        { ...base, minSize: 2, postNmsTopN: 5 },
        { ...base, scoreThresh: 0.99 }, // nothing passes
      ] satisfies ProposalFilterOptions[]) {
        const actual = await filterProposals(input, options);
        const expected = await stepwiseFilterProposals(input, options);
        await expectIdentical(actual, expected, JSON.stringify(options));
        disposeAll([actual, expected]);
      }
      tf.dispose([input.anchors, input.head.objectness, input.head.boxDeltas]);
    });

    it('is bit-identical on the per-level NMS path for over 1000 boxes (torchvision batched_nms vanilla)', async () => {
      const input = stressInput([800, 600], [[50, 50]], 20);
      for (const nmsThresh of [1, 0.7]) {
        const options = { preNmsTopN: 700, postNmsTopN: 2000, nmsThresh, scoreThresh: 0, minSize: 1e-3 };
        const actual = await filterProposals(input, options);
        const expected = await stepwiseFilterProposals(input, options);
        // IoU never exceeds 1: every filtered candidate is a proposal, over 1000 of them
        if (nmsThresh === 1) expect(actual[0]!.boxes.shape[0]).toBeGreaterThan(1000);
        await expectIdentical(actual, expected, `nmsThresh ${nmsThresh}`);
        disposeAll([actual, expected]);
      }
      tf.dispose([input.anchors, input.head.objectness, input.head.boxDeltas]);
    });
  },
);
