import { asBoxes, type Instances, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BoxBranch } from '../box/box-branch';
import { fastRcnnLoss } from '../box/fast-rcnn-loss';
import { FastRcnnPredictor } from '../box/fast-rcnn-predictor';
import { TwoMlpHead } from '../box/two-mlp-head';
import { KeypointBranch } from '../keypoint/keypoint-branch';
import { KeypointRcnnHead } from '../keypoint/keypoint-rcnn-head';
import { KeypointRcnnPredictor } from '../keypoint/keypoint-rcnn-predictor';
import { HEADS_LOSS_KEYS } from '../loss-keys';
import { MASK_BRANCH_OUTPUTS, MaskBranch } from '../mask/mask-branch';
import { MaskRcnnHead } from '../mask/mask-rcnn-head';
import { MaskRcnnPredictor } from '../mask/mask-rcnn-predictor';
import { MaskIouBranch } from '../mask-iou/mask-iou-branch';
import { MaskIouHead } from '../mask-iou/mask-iou-head';
import { type BranchFixture, branchFixture } from '../test-support/branch-fixture';
import { fakePooler } from '../test-support/fake-pooler';
import { roiAlignLoops } from '../test-support/roi-align-loops';
import { BranchContext } from './branch-context';

const C = 4;
const CLASSES = 3;

function buildBranches() {
  const pooler14 = fakePooler(14);
  const mask = new MaskBranch({
    pooler: pooler14,
    head: new MaskRcnnHead({ inChannels: C, layers: [4, 4], seed: 1 }),
    predictor: new MaskRcnnPredictor({ inChannels: 4, dimReduced: 4, numClasses: CLASSES, seed: 2 }),
    roiAlign: roiAlignLoops,
  });
  const maskIou = new MaskIouBranch({
    pooler: pooler14,
    head: new MaskIouHead({ inChannels: C, convChannels: 4, fcSize: 8, numClasses: CLASSES, seed: 3 }),
  });
  const keypoint = new KeypointBranch({
    pooler: pooler14,
    head: new KeypointRcnnHead({ inChannels: C, layers: [4, 4], seed: 4 }),
    predictor: new KeypointRcnnPredictor({ inChannels: 4, numKeypoints: 3, seed: 5 }),
    decodeHeatmaps: async (heatmaps, boxes) => ({
      keypoints: tf.zeros([boxes.shape[0], heatmaps.shape[3], 3]) as tf.Tensor3D,
      // (a max over zero rows crashes the wasm kernel: decoders must handle empty images)
      keypointScores: (boxes.shape[0] === 0
        ? tf.zeros([0, heatmaps.shape[3]])
        : tf.max(heatmaps, [1, 2])) as tf.Tensor2D,
    }),
  });
  const box = new BoxBranch({
    pooler: fakePooler(7),
    head: new TwoMlpHead({ inChannels: C, representationSize: 16, seed: 6 }),
    predictor: new FastRcnnPredictor({ inChannels: 16, numClasses: CLASSES, seed: 7 }),
  });
  return { mask, maskIou, keypoint, box };
}

function detections3(): Instances[] {
  return [
    {
      boxes: [
        [4, 6, 30, 40],
        [28, 20, 60, 58],
      ],
      labels: [1, 2],
      scores: [0.9, 0.6],
    },
    { boxes: [], labels: [], scores: [] },
    { boxes: [[10, 10, 50, 44]], labels: [2], scores: [0.8] },
  ].map((d) => ({
    imageSize: [64, 64] as [number, number],
    boxes: asBoxes(tf.tensor2d(d.boxes, [d.boxes.length, 4])),
    labels: tf.tensor1d(d.labels, 'int32'),
    scores: tf.tensor1d(d.scores),
  }));
}

describeEachBackend('RoI head branches', () => {
  let fixture: BranchFixture;
  let branches: ReturnType<typeof buildBranches>;
  let detections: Instances[];
  // three images for predict: the fixture's pyramid has two, so repeat image 0
  let features3: BranchFixture['features'];

  beforeAll(() => {
    fixture = branchFixture();
    branches = buildBranches();
    detections = detections3();
    const level = fixture.features[0]!;
    features3 = [
      { ...level, tensor: tf.concat([level.tensor, tf.slice(level.tensor, 0, 1)]) as tf.Tensor4D },
    ];
  });
  afterAll(() => {
    fixture.dispose();
    for (const branch of Object.values(branches)) branch.dispose();
    for (const d of detections) tf.dispose([d.boxes, d.labels, d.scores]);
    features3[0]!.tensor.dispose();
  });

  it('box branch: forward shapes and loss equal to fastRcnnLoss on the same outputs', async () => {
    const { classLogits, boxRegression } = branches.box.forward(
      fixture.features,
      fixture.samples.map((s) => s.boxes),
    );
    expect(classLogits.shape).toEqual([10, CLASSES]);
    expect(boxRegression.shape).toEqual([10, 4 * CLASSES]);
    const direct = fastRcnnLoss({
      classLogits,
      boxRegression,
      labels: tf.concat(fixture.samples.map((s) => s.labels)) as tf.Tensor1D,
      regressionTargets: tf.concat(fixture.samples.map((s) => s.regressionTargets)) as tf.Tensor2D,
    });
    const losses = branches.box.loss(fixture.features, fixture.samples);
    for (const key of [HEADS_LOSS_KEYS.classification, HEADS_LOSS_KEYS.boxRegression]) {
      expect((await losses[key]!.data())[0]).toBeCloseTo((await direct[key].data())[0]!, 6);
    }
    tf.dispose([classLogits, boxRegression, ...Object.values(direct), ...Object.values(losses)]);
  });

  it('mask branch: masks are the sigmoid of each detection label channel, per image', async () => {
    const predictions = await branches.mask.predict(features3, detections);
    expect(predictions.map((p) => p.masks!.shape)).toEqual([
      [2, 28, 28],
      [0, 28, 28],
      [1, 28, 28],
    ]);
    const pooled = branches.mask.pooler.pool(features3, [detections[2]!.boxes]);
    const logits = branches.mask.forward(pooled);
    const expected = tf.tidy(() =>
      tf.sigmoid(tf.squeeze(tf.slice(logits, [0, 0, 0, 2], [1, 28, 28, 1]), [3])),
    );
    expect(relativeError(predictions[2]!.masks!, expected)).toBeLessThan(1e-6);
    tf.dispose([pooled, logits, expected, ...predictions.map((p) => p.masks!)]);
  });

  it('mask + MaskIoU branches: losses, the shared context and mask scores', async () => {
    const context = new BranchContext();
    const inputs = {
      features: fixture.features,
      samples: fixture.samples,
      targets: fixture.targets,
      context,
    };
    const maskLoss = branches.mask.loss(inputs);
    const shared = context.get(MASK_BRANCH_OUTPUTS)!;
    expect(shared.classLogits.shape).toEqual([6, 28, 28]);
    expect(Array.from(await shared.labels.data())).toEqual([1, 2, 1, 2, 2, 2]);
    const maskIouLoss = branches.maskIou.loss(inputs);
    const bce = (await maskLoss[HEADS_LOSS_KEYS.maskBce]!.data())[0]!;
    const l2 = (await maskIouLoss[HEADS_LOSS_KEYS.maskIouL2]!.data())[0]!;
    expect(bce).toBeGreaterThan(0);
    expect(Number.isFinite(l2) && l2 >= 0).toBe(true);
    context.dispose();
    expect(shared.pooled.isDisposed).toBe(true);
    expect(() => branches.maskIou.loss({ ...inputs, context: new BranchContext() })).toThrow(
      /mask branch to run first/,
    );
    tf.dispose([...Object.values(maskLoss), ...Object.values(maskIouLoss)]);

    const withMasks = await branches.mask.predict(features3, detections);
    const merged = detections.map((d, i) => ({ ...d, masks: withMasks[i]!.masks }));
    const scored = await branches.maskIou.predict(features3, merged);
    expect(scored.map((s) => s.maskScores!.shape)).toEqual([[2], [0], [1]]);
    await expect(branches.maskIou.predict(features3, detections)).rejects.toThrow(RcnnError);
    tf.dispose([...withMasks.map((p) => p.masks!), ...scored.map((s) => s.maskScores!)]);
  });

  it('keypoint branch: decoder gets each image heatmaps; loss is finite and positive', async () => {
    const predictions = await branches.keypoint.predict(features3, detections);
    expect(predictions.map((p) => p.keypointScores!.shape)).toEqual([
      [2, 3],
      [0, 3],
      [1, 3],
    ]);
    const loss = branches.keypoint.loss({ ...fixture, context: new BranchContext() });
    expect((await loss[HEADS_LOSS_KEYS.keypointCrossEntropy]!.data())[0]).toBeGreaterThan(0);
    tf.dispose([...predictions.flatMap((p) => [p.keypoints!, p.keypointScores!]), ...Object.values(loss)]);
  });

  it('rejects a pooler of the wrong size and targets without masks', () => {
    expect(
      () =>
        new MaskBranch({
          pooler: fakePooler(7),
          head: branches.mask.head,
          predictor: branches.mask.predictor,
          roiAlign: roiAlignLoops,
        }),
    ).toThrow(/pooler output 7x7 does not match the head's 14/);
    const noMasks = fixture.targets.map((t) => ({ boxes: t.boxes, labels: t.labels }));
    expect(() =>
      branches.mask.loss({
        features: fixture.features,
        samples: fixture.samples,
        targets: noMasks,
        context: new BranchContext(),
      }),
    ).toThrow(/image 0 has no GT masks/);
  });

  it('does not leak (every predict and loss)', async () => {
    await expectNoLeaks(async () => {
      const context = new BranchContext();
      const inputs = {
        features: fixture.features,
        samples: fixture.samples,
        targets: fixture.targets,
        context,
      };
      const losses = [branches.box.loss(fixture.features, fixture.samples), branches.mask.loss(inputs)];
      losses.push(branches.maskIou.loss(inputs), branches.keypoint.loss(inputs));
      context.dispose();
      tf.dispose(losses.flatMap((l) => Object.values(l)));
      const masks = await branches.mask.predict(features3, detections);
      const merged = detections.map((d, i) => ({ ...d, masks: masks[i]!.masks }));
      const scores = await branches.maskIou.predict(features3, merged);
      const keypoints = await branches.keypoint.predict(features3, detections);
      const box = branches.box.forward(
        features3,
        detections.map((d) => d.boxes),
      );
      tf.dispose([
        ...masks.map((m) => m.masks!),
        ...scores.map((s) => s.maskScores!),
        ...keypoints.flatMap((k) => [k.keypoints!, k.keypointScores!]),
        box.classLogits,
        box.boxRegression,
      ]);
    });
  });
});

// Conv weight gradients need Conv2DBackpropFilter, which tfjs-backend-wasm 4.22 does not have.
describeEachBackend('RoI head branches train', () => {
  it('every branch loss reaches every weight of its branch; the MaskIoU loss leaves the mask head alone', () => {
    const fixture = branchFixture();
    const branches = buildBranches();
    const step = (which: 'box' | 'mask' | 'maskIou' | 'keypoint') => {
      const variables =
        which === 'box'
          ? branches.box.trainableVariables()
          : [...branches.mask.trainableVariables(), ...branches[which].trainableVariables()];
      const { value, grads } = tf.variableGrads(() => {
        const context = new BranchContext();
        const inputs = {
          features: fixture.features,
          samples: fixture.samples,
          targets: fixture.targets,
          context,
        };
        const mask = branches.mask.loss(inputs);
        const record =
          which === 'box'
            ? branches.box.loss(fixture.features, fixture.samples)
            : which === 'mask'
              ? mask
              : branches[which].loss(inputs);
        const total = tf.addN(Object.values(record)) as tf.Scalar;
        context.dispose();
        return total;
      }, variables as tf.Variable[]);
      const norms = Object.fromEntries(
        variables.map((v) => [
          v.name,
          grads[v.name] ? tf.tidy(() => tf.norm(grads[v.name]!).dataSync()[0]!) : 0,
        ]),
      );
      tf.dispose([value, ...Object.values(grads)]);
      return { variables, norms };
    };
    for (const which of ['box', 'mask', 'keypoint'] as const) {
      const { variables, norms } = step(which);
      const own = which === 'box' ? variables : branches[which].trainableVariables();
      for (const v of own) expect(norms[v.name], `${which} ${v.name}`).toBeGreaterThan(0);
    }
    const { norms } = step('maskIou');
    for (const v of branches.maskIou.trainableVariables()) expect(norms[v.name]).toBeGreaterThan(0);
    for (const v of branches.mask.trainableVariables()) expect(norms[v.name]).toBe(0);
    fixture.dispose();
    for (const branch of Object.values(branches)) branch.dispose();
  });
}, ['cpu']);
