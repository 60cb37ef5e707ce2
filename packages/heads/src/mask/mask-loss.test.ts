import { asBoxes, deterministicTensor, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HEADS_LOSS_KEYS } from '../loss-keys';
import { fixtureArray, fixtureTensor, readHeadsFixture } from '../test-support/fixtures';
import { roiAlignLoops } from '../test-support/roi-align-loops';
import { maskRcnnLoss } from './mask-rcnn-loss';
import { maskTargets } from './mask-targets';

const fixture = readHeadsFixture('losses.safetensors');
const P = 5;
const K = 5;

describeEachBackend('mask targets and maskRcnnLoss vs torchvision', () => {
  let maskLogits: tf.Tensor4D;
  let expectedTargets: tf.Tensor3D;
  const labels = fixtureArray(fixture, 'mask/labels');

  beforeAll(() => {
    maskLogits = tf.tensor4d(deterministicTensor('heads/loss/maskLogits', [P, 28, 28, K], -4, 4), [
      P,
      28,
      28,
      K,
    ]);
    expectedTargets = fixtureTensor(fixture, 'mask/targets') as tf.Tensor3D;
  });
  afterAll(() => tf.dispose([maskLogits, expectedTargets]));

  const targetsOfImage = (image: number) => {
    const gtMasks = fixtureTensor(fixture, `mask/gtMasks${image}`) as tf.Tensor3D;
    const proposals = asBoxes(fixtureTensor(fixture, `mask/proposals${image}`));
    const targets = maskTargets({
      gtMasks,
      proposals,
      matchedGtIndices: fixtureArray(fixture, `mask/matched${image}`),
      roiAlign: roiAlignLoops,
    });
    tf.dispose([gtMasks, proposals]);
    return targets;
  };

  it('RoIAligns each matched GT mask onto its proposal (torchvision project_masks_on_boxes, 1e-5)', () => {
    const targets = tf.concat([targetsOfImage(0), targetsOfImage(1)]);
    expect(targets.shape).toEqual([P, 28, 28]);
    expect(maxAbsDiff(targets, expectedTargets)).toBeLessThan(1e-5);
    targets.dispose();
  });

  it('matches maskrcnn_loss on torchvision targets to 1e-5', async () => {
    const loss = maskRcnnLoss({ maskLogits, labels, maskTargets: expectedTargets })[HEADS_LOSS_KEYS.maskBce];
    expect((await loss.data())[0]).toBeCloseTo(fixtureArray(fixture, 'mask/loss')[0]!, 5);
    loss.dispose();
  });

  it('trains only the GT class channel', () => {
    const gradient = tf.grad(
      (logits: tf.Tensor) =>
        maskRcnnLoss({ maskLogits: logits as tf.Tensor4D, labels, maskTargets: expectedTargets })[
          HEADS_LOSS_KEYS.maskBce
        ],
    )(maskLogits);
    const perChannel = tf.tidy(() => tf.sum(tf.abs(gradient), [1, 2]).arraySync() as number[][]);
    const expected = labels.map((label) => Array.from({ length: K }, (_, k) => k === label));
    expect(perChannel.map((row) => row.map((value) => value > 0))).toEqual(expected);
    gradient.dispose();
  });

  it('gives 0 without positives and rejects mismatched targets', async () => {
    const none = maskRcnnLoss({
      maskLogits: tf.zeros([0, 28, 28, K]),
      labels: [],
      maskTargets: tf.zeros([0, 28, 28]),
    });
    expect((await none[HEADS_LOSS_KEYS.maskBce].data())[0]).toBe(0);
    none[HEADS_LOSS_KEYS.maskBce].dispose();
    const small = tf.zeros([P, 14, 14]) as tf.Tensor3D;
    expect(() => maskRcnnLoss({ maskLogits, labels, maskTargets: small })).toThrow(RcnnError);
    const proposals = asBoxes(tf.tensor2d([[0, 0, 4, 4]]));
    const masks = tf.zeros([1, 8, 8]) as tf.Tensor3D;
    const badAlign = () => tf.zeros([1, 14, 14, 1]) as tf.Tensor4D;
    expect(() =>
      maskTargets({ gtMasks: masks, proposals, matchedGtIndices: [0], roiAlign: badAlign }),
    ).toThrow(/injected roiAlign returned \[1, 14, 14, 1\], expected \[1, 28, 28, 1\]/);
    expect(() =>
      maskTargets({ gtMasks: masks, proposals, matchedGtIndices: [0, 0], roiAlign: roiAlignLoops }),
    ).toThrow(/has 2 entries, expected 1/);
    tf.dispose([small, proposals, masks]);
  });

  it('does not leak', async () => {
    await expectNoLeaks(() => {
      const targets = targetsOfImage(1);
      targets.dispose();
      tf.dispose(Object.values(maskRcnnLoss({ maskLogits, labels, maskTargets: expectedTargets })));
    });
  });
});
