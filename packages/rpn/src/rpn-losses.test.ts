import { BalancedSampler, BoxCoder, Matcher, type PositiveNegativeSampler, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, expectTensorsClose, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expect, it } from 'vitest';
import { fixtureBoxes, fixtureHeadOutputs, rpnFixture, torchvisionSampler } from '../test/rpn-fixture';
import { RPN_LOSS_BOX_REGRESSION, RPN_LOSS_OBJECTNESS, rpnLosses } from './rpn-losses';
import { assignRpnTargets, type RpnTrainingTargets } from './rpn-training-targets';

const matcher = new Matcher({ highThreshold: 0.7, lowThreshold: 0.3, allowLowQualityMatches: true });
const boxCoder = new BoxCoder({ weights: [1, 1, 1, 1] });

async function fixtureTargets(
  sampler = torchvisionSampler(),
  images = [0, 1, 2],
): Promise<RpnTrainingTargets> {
  const anchors = fixtureBoxes('anchors');
  const groundTruthBoxes = images.map((image) => fixtureBoxes(`gt/${image}`));
  try {
    return await assignRpnTargets({ anchors, groundTruthBoxes, matcher, sampler, boxCoder });
  } finally {
    tf.dispose([anchors, ...groundTruthBoxes]);
  }
}

describeEachBackend('RPN targets and losses', () => {
  it('labels anchors exactly as torchvision (incl. an image without ground truth)', async () => {
    const fixture = rpnFixture();
    const targets = await fixtureTargets();
    const expected = fixture.floats('targets/labels');
    const n = fixture.shape('anchors')[0]!;
    targets.labels.forEach((labels, image) => {
      expect(Array.from(labels)).toEqual(Array.from(expected.subarray(image * n, (image + 1) * n)));
    });
    expect(targets.labels[2]!.every((label) => label === 0)).toBe(true);
    expect(targets.numSampled).toBe(3 * 256);
    targets.dispose();
  });

  it('encodes regression targets at the sampled positives as torchvision', async () => {
    const fixture = rpnFixture();
    const targets = await fixtureTargets();
    const dense = await targets.regressionTargets.data();
    const n = fixture.shape('anchors')[0]!;
    for (let image = 0; image < 3; image++) {
      const rows = fixture.ints(`sampled/positive/${image}`);
      const ours = Array.from(rows).flatMap((row) =>
        Array.from(dense.subarray((image * n + row) * 4, (image * n + row + 1) * 4)),
      );
      expect(ours.length).toBe(rows.length * 4);
      expectTensorsClose(ours, fixture.floats(`targets/regression/${image}`), { atol: 1e-5, rtol: 1e-5 });
    }
    targets.dispose();
  });

  it('gives torchvision losses and gradients given the same sampled indices (1e-5)', async () => {
    const fixture = rpnFixture();
    const targets = await fixtureTargets();
    const head = fixtureHeadOutputs();
    const losses = rpnLosses(head, targets);
    const objectness = (await losses[RPN_LOSS_OBJECTNESS]!.data())[0]!;
    const box = (await losses[RPN_LOSS_BOX_REGRESSION]!.data())[0]!;
    const expectedObjectness = fixture.floats('loss/objectness')[0]!;
    const expectedBox = fixture.floats('loss/boxRegression')[0]!;
    const objectnessError = Math.abs(objectness - expectedObjectness) / Math.abs(expectedObjectness);
    const boxError = Math.abs(box - expectedBox) / Math.abs(expectedBox);
    console.info(
      `RPN losses: objectness ${objectness} (rel ${objectnessError.toExponential(2)}), box ${box} (rel ${boxError.toExponential(2)})`,
    );
    expect(objectnessError).toBeLessThan(1e-5);
    expect(boxError).toBeLessThan(1e-5);

    const total = (scores: tf.Tensor2D, deltas: tf.Tensor3D) => {
      const record = rpnLosses({ ...head, objectness: scores, boxDeltas: deltas }, targets);
      return tf.add(record[RPN_LOSS_OBJECTNESS]!, record[RPN_LOSS_BOX_REGRESSION]!) as tf.Scalar;
    };
    const [gradObjectness, gradDeltas] = tf.grads((a, b) => total(a as tf.Tensor2D, b as tf.Tensor3D))([
      head.objectness,
      head.boxDeltas,
    ]);
    const gradErrors = [
      relativeError(gradObjectness!, fixture.floats('grad/objectness')),
      relativeError(gradDeltas!, fixture.floats('grad/boxDeltas')),
    ];
    console.info(`RPN loss gradients: rel ${gradErrors.map((e) => e.toExponential(2)).join(', ')}`);
    for (const error of gradErrors) expect(error).toBeLessThan(1e-5);
    tf.dispose([...Object.values(losses), head.objectness, head.boxDeltas, gradObjectness!, gradDeltas!]);
    targets.dispose();
  });

  it('background-only batch: box loss 0, objectness finite; nothing sampled: both 0', async () => {
    const fixture = rpnFixture();
    const background = await fixtureTargets(
      new BalancedSampler({ batchSizePerImage: 256, positiveFraction: 0.5 }),
      [2, 2, 2],
    );
    const none = await fixtureTargets({
      sample: (labels) => labels.map(() => ({ positive: new Int32Array(), negative: new Int32Array() })),
    });
    const head = fixtureHeadOutputs();
    expect(background.numSampled).toBe(3 * 256);
    const losses = rpnLosses(head, background);
    expect((await losses[RPN_LOSS_BOX_REGRESSION]!.data())[0]).toBe(0);
    expect((await losses[RPN_LOSS_OBJECTNESS]!.data())[0]).toBeGreaterThan(0);
    tf.dispose(Object.values(losses));
    expect(fixture.shape('sampled/positive/2')).toEqual([0]);
    const empty = rpnLosses(head, none);
    expect([
      (await empty[RPN_LOSS_OBJECTNESS]!.data())[0],
      (await empty[RPN_LOSS_BOX_REGRESSION]!.data())[0],
    ]).toEqual([0, 0]);
    tf.dispose([...Object.values(empty), head.objectness, head.boxDeltas]);
    for (const targets of [background, none]) targets.dispose();
  });

  it('rejects a sampler that picks the wrong labels and mismatched shapes', async () => {
    const wrong: PositiveNegativeSampler = {
      sample: (labels) =>
        labels.map((l) => ({ positive: Int32Array.of(l.length - 1), negative: new Int32Array() })),
    };
    await expect(fixtureTargets(wrong)).rejects.toThrow(RcnnError);
    const targets = await fixtureTargets(undefined, [0]);
    const head = fixtureHeadOutputs();
    expect(() => rpnLosses(head, targets)).toThrow(expect.objectContaining({ code: 'INVALID_SHAPE' }));
    tf.dispose([head.objectness, head.boxDeltas]);
    targets.dispose();
  });

  it('does not leak (targets, losses, gradients)', async () => {
    const head = fixtureHeadOutputs();
    await expectNoLeaks(async () => {
      const targets = await fixtureTargets();
      tf.dispose(Object.values(rpnLosses(head, targets)));
      const grad = tf.grad(
        (scores) => rpnLosses({ ...head, objectness: scores as tf.Tensor2D }, targets)[RPN_LOSS_OBJECTNESS]!,
      );
      grad(head.objectness).dispose();
      targets.dispose();
    });
    tf.dispose([head.objectness, head.boxDeltas]);
  });
});
