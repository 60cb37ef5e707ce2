import { BoxCoder, type Proposals, RcnnError } from '@rcnn/core';
import {
  describeEachBackend,
  disposeAll,
  expectNoLeaks,
  expectTensorsClose,
  maxAbsDiff,
} from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { fixtureBoxes, fixtureHeadOutputs, rpnFixture } from '../test/rpn-fixture';
import { filterProposals, type ProposalFilterOptions } from './filter-proposals';

const coder = new BoxCoder({ weights: [1, 1, 1, 1] });

function optionsOf(config: string): ProposalFilterOptions {
  const [preNmsTopN, postNmsTopN, scoreThresh] = rpnFixture().proposalConfigs[config]!;
  return { preNmsTopN, postNmsTopN, scoreThresh, nmsThresh: 0.7, minSize: 1e-3 };
}

async function run(options: ProposalFilterOptions): Promise<Proposals[]> {
  const anchors = fixtureBoxes('anchors');
  const head = fixtureHeadOutputs();
  try {
    return await filterProposals(
      { anchors, head, imageSizes: rpnFixture().imageSizes, boxCoder: coder },
      options,
    );
  } finally {
    tf.dispose([anchors, head.objectness, head.boxDeltas]);
  }
}

describeEachBackend('filterProposals', () => {
  for (const config of ['train', 'infer', 'thresholded']) {
    it(`equals torchvision filter_proposals given its head outputs (${config})`, async () => {
      const fixture = rpnFixture();
      const options = optionsOf(config);
      if (config === 'thresholded') {
        // the fixture must exercise the threshold: fewer survivors than postNmsTopN, but some
        for (let image = 0; image < 3; image++) {
          expect(fixture.shape(`proposals/${config}/scores/${image}`)[0]).toBeGreaterThan(0);
          expect(fixture.shape(`proposals/${config}/scores/${image}`)[0]).toBeLessThan(options.postNmsTopN);
        }
      }
      const proposals = await run(options);
      let worstBox = 0;
      let worstScore = 0;
      proposals.forEach(({ boxes, scores }, image) => {
        const expectedBoxes = fixture.floats(`proposals/${config}/boxes/${image}`);
        const expectedScores = fixture.floats(`proposals/${config}/scores/${image}`);
        expect(boxes.shape).toEqual(fixture.shape(`proposals/${config}/boxes/${image}`));
        expect(scores.shape).toEqual([expectedScores.length]);
        expectTensorsClose(boxes, expectedBoxes, { atol: 1e-4, rtol: 1e-5 });
        expectTensorsClose(scores, expectedScores, { atol: 1e-6, rtol: 1e-6 });
        worstBox = Math.max(worstBox, maxAbsDiff(boxes, expectedBoxes));
        worstScore = Math.max(worstScore, maxAbsDiff(scores, expectedScores));
      });
      console.info(
        `proposals (${config}): max |box diff| ${worstBox.toExponential(2)} px, max |score diff| ${worstScore.toExponential(2)}`,
      );
      disposeAll(proposals);
    });
  }

  it('gives empty proposals when nothing passes (score threshold, min size, top-n 0)', async () => {
    const base = optionsOf('train');
    for (const options of [
      { ...base, scoreThresh: 1.1 },
      { ...base, minSize: 1e4 },
      { ...base, preNmsTopN: 0 },
      { ...base, postNmsTopN: 0 },
    ]) {
      const proposals = await run(options);
      expect(proposals).toHaveLength(3);
      for (const { boxes, scores } of proposals) {
        expect(boxes.shape).toEqual([0, 4]);
        expect(scores.shape).toEqual([0]);
      }
      disposeAll(proposals);
    }
  });

  it('rejects mismatched inputs', async () => {
    const anchors = fixtureBoxes('anchors');
    const head = fixtureHeadOutputs();
    const options = optionsOf('train');
    await expect(
      filterProposals({ anchors, head, imageSizes: [[96, 128]], boxCoder: coder }, options),
    ).rejects.toThrow(RcnnError);
    const fewer = tf.slice(anchors, 0, 100);
    await expect(
      filterProposals(
        { anchors: fewer as typeof anchors, head, imageSizes: rpnFixture().imageSizes, boxCoder: coder },
        options,
      ),
    ).rejects.toThrow(expect.objectContaining({ code: 'INVALID_SHAPE' }));
    await expect(
      filterProposals(
        { anchors, head, imageSizes: rpnFixture().imageSizes, boxCoder: coder },
        { ...options, preNmsTopN: 1.5 },
      ),
    ).rejects.toThrow(RcnnError);
    tf.dispose([anchors, fewer, head.objectness, head.boxDeltas]);
  });

  it('does not leak', async () => {
    const anchors = fixtureBoxes('anchors');
    const head = fixtureHeadOutputs();
    const input = { anchors, head, imageSizes: rpnFixture().imageSizes, boxCoder: coder };
    await expectNoLeaks(async () => {
      disposeAll(await filterProposals(input, optionsOf('thresholded')));
      disposeAll(await filterProposals(input, { ...optionsOf('train'), scoreThresh: 2 }));
    });
    tf.dispose([anchors, head.objectness, head.boxDeltas]);
  });
});
