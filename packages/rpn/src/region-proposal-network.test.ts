import { asBoxes, type GroundTruth, type ProposalGenerator, RcnnError } from '@rcnn/core';
import {
  describeEachBackend,
  disposeAll,
  expectNoLeaks,
  expectTensorsClose,
  maxAbsDiff,
} from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expect, it, vi } from 'vitest';
import {
  disposeFeatures,
  fixtureBatch,
  fixtureBoxes,
  fixtureFeatures,
  fixtureHead,
  rpnFixture,
  torchvisionSampler,
} from '../test/rpn-fixture';
import { AnchorGenerator } from './anchor-generator';
import { RegionProposalNetwork } from './region-proposal-network';
import type { RegionProposalNetworkOptions } from './region-proposal-network-options';
import { RpnHead } from './rpn-head';
import { RPN_LOSS_BOX_REGRESSION, RPN_LOSS_OBJECTNESS } from './rpn-losses';

function fixtureRpn(overrides: Partial<RegionProposalNetworkOptions> = {}): RegionProposalNetwork {
  const [trainPre, trainPost] = rpnFixture().proposalConfigs.train!;
  const [inferPre, inferPost] = rpnFixture().proposalConfigs.infer!;
  return new RegionProposalNetwork({
    anchorGenerator: new AnchorGenerator(),
    head: fixtureHead(),
    sampler: torchvisionSampler(),
    preNmsTopN: { train: trainPre, infer: inferPre },
    postNmsTopN: { train: trainPost, infer: inferPost },
    ...overrides,
  });
}

function fixtureTargets(): GroundTruth[] {
  return [0, 1, 2].map((image) => {
    const boxes = fixtureBoxes(`gt/${image}`);
    return { boxes, labels: tf.ones([boxes.shape[0]], 'int32') as tf.Tensor1D };
  });
}

function expectProposals(proposals: { boxes: tf.Tensor; scores: tf.Tensor }[], config: string): void {
  const fixture = rpnFixture();
  const worst = proposals.map(({ boxes }, image) =>
    boxes.shape[0] === fixture.shape(`proposals/${config}/boxes/${image}`)[0]
      ? maxAbsDiff(boxes, fixture.floats(`proposals/${config}/boxes/${image}`))
      : Number.NaN,
  );
  console.info(
    `end-to-end proposals (${config}): max |box diff| per image ${worst.map((w) => w.toExponential(2)).join(', ')} px`,
  );
  proposals.forEach(({ boxes, scores }, image) => {
    expect(boxes.shape).toEqual(fixture.shape(`proposals/${config}/boxes/${image}`));
    expectTensorsClose(boxes, fixture.floats(`proposals/${config}/boxes/${image}`), {
      atol: 1e-3,
      rtol: 1e-5,
    });
    expectTensorsClose(scores, fixture.floats(`proposals/${config}/scores/${image}`), {
      atol: 1e-5,
      rtol: 1e-5,
    });
  });
}

describeEachBackend('RegionProposalNetwork', (backend) => {
  it('predict: features -> torchvision proposals (inference counts), end to end', async () => {
    const rpn: ProposalGenerator = fixtureRpn();
    const batch = fixtureBatch();
    const features = fixtureFeatures();
    const proposals = await rpn.predict(batch, features);
    expectProposals(proposals, 'infer');
    disposeAll([proposals, batch.tensor]);
    disposeFeatures(features);
    rpn.dispose();
  });

  it('predict reads from the device once per batch (the proposals of every image together)', async () => {
    const engine = tf.engine();
    const batch = fixtureBatch();
    const features = fixtureFeatures();
    for (const scoreThresh of [0, 0.5]) {
      const rpn = fixtureRpn({ scoreThresh });
      // every GPU-to-CPU read (data, dataSync, array, buffer, ...) goes through one of these
      const reads = [vi.spyOn(engine, 'read'), vi.spyOn(engine, 'readSync')];
      try {
        disposeAll(await rpn.predict(batch, features));
        expect(reads[0]!.mock.calls.length + reads[1]!.mock.calls.length, `scoreThresh ${scoreThresh}`).toBe(
          1,
        );
      } finally {
        for (const spy of reads) spy.mockRestore();
        rpn.dispose();
      }
    }
    disposeAll([batch.tensor]);
    disposeFeatures(features);
  });

  it('loss: torchvision losses and proposals (training counts) given its sampled indices', async () => {
    const fixture = rpnFixture();
    const rpn = fixtureRpn();
    const batch = fixtureBatch();
    const features = fixtureFeatures();
    const targets = fixtureTargets();
    const { proposals, losses } = await rpn.loss(batch, features, targets);
    expect(Object.keys(losses).sort()).toEqual([RPN_LOSS_BOX_REGRESSION, RPN_LOSS_OBJECTNESS]);
    expectTensorsClose(losses[RPN_LOSS_OBJECTNESS]!, fixture.floats('loss/objectness'), {
      atol: 0,
      rtol: 1e-5,
    });
    expectTensorsClose(losses[RPN_LOSS_BOX_REGRESSION]!, fixture.floats('loss/boxRegression'), {
      atol: 0,
      rtol: 1e-5,
    });
    expectProposals(proposals, 'train');
    disposeAll([proposals, losses, targets, batch.tensor]);
    disposeFeatures(features);
    rpn.dispose();
  });

  it('training split: assignTargets outside, forwardHead + computeLosses inside tf.variableGrads', async () => {
    // 4 channels: tfjs-backend-cpu's Conv2DBackpropFilter is element-by-element and very slow
    const rpn = fixtureRpn({ head: new RpnHead({ inChannels: 4, seed: 1 }) });
    const batch = fixtureBatch();
    const features = fixtureFeatures().map((level) => {
      const narrow = tf.slice(level.tensor, [0, 0, 0, 0], [-1, -1, -1, 4]);
      level.tensor.dispose();
      return { ...level, tensor: narrow };
    });
    const targets = fixtureTargets();
    const assigned = await rpn.assignTargets(batch, features, targets);
    const totalLoss = () => {
      const head = rpn.forwardHead(features);
      return tf.addN(Object.values(rpn.computeLosses(head, assigned))) as tf.Scalar;
    };
    if (backend === 'wasm' && tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
      // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel: weight gradients need cpu/webgl/webgpu
      // (or @rcnn/kernels-native's, registered when the tests run with RCNN_NATIVE_KERNELS=1)
      expect(() => tf.variableGrads(totalLoss, rpn.head.trainableVariables())).toThrow(
        /Conv2DBackpropFilter/,
      );
    } else {
      const { value, grads } = tf.variableGrads(totalLoss, rpn.head.trainableVariables());
      const before = (await value.data())[0]!;
      expect(Object.keys(grads)).toHaveLength(6);
      for (const grad of Object.values(grads)) {
        const values = await grad.data();
        expect(values.every(Number.isFinite)).toBe(true);
        expect(values.some((v) => v !== 0)).toBe(true);
      }
      const variables = rpn.head.trainableVariables();
      for (const variable of variables) {
        tf.tidy(() => variable.assign(tf.sub(variable, tf.mul(grads[variable.name]!, 1))));
      }
      const after = tf.tidy(totalLoss);
      expect((await after.data())[0]!).toBeLessThan(before); // a gradient step lowers the loss
      disposeAll([value, grads, after]);
    }
    assigned.dispose();
    disposeAll([targets, batch.tensor]);
    disposeFeatures(features);
    rpn.dispose();
  });

  it('returns empty proposals when nothing passes and handles an all-background batch', async () => {
    const rpn = fixtureRpn({ scoreThresh: 2 });
    const batch = fixtureBatch();
    const features = fixtureFeatures();
    const proposals = await rpn.predict(batch, features);
    for (const { boxes } of proposals) expect(boxes.shape).toEqual([0, 4]);
    const empty = [0, 1, 2].map(() => ({
      boxes: asBoxes(tf.zeros([0, 4])),
      labels: tf.zeros([0], 'int32') as tf.Tensor1D,
    }));
    const defaultSampler = fixtureRpn({ sampler: undefined });
    const { losses, proposals: trainProposals } = await defaultSampler.loss(batch, features, empty);
    expect((await losses[RPN_LOSS_BOX_REGRESSION]!.data())[0]).toBe(0);
    expect((await losses[RPN_LOSS_OBJECTNESS]!.data())[0]).toBeGreaterThan(0);
    disposeAll([proposals, trainProposals, losses, empty, batch.tensor]);
    disposeFeatures(features);
    rpn.dispose();
    defaultSampler.dispose();
  });

  it('rejects bad input with RcnnError', async () => {
    expect(() => fixtureRpn({ head: new RpnHead({ inChannels: 8, numAnchors: 2 }) })).toThrow(RcnnError);
    const rpn = fixtureRpn();
    const batch = fixtureBatch();
    const features = fixtureFeatures();
    await expect(rpn.predict(batch, features.slice(0, 4))).rejects.toThrow(RcnnError);
    await expect(rpn.predict({ ...batch, imageSizes: [[96, 128]] }, features)).rejects.toThrow(RcnnError);
    const targets = fixtureTargets();
    await expect(rpn.loss(batch, features, targets.slice(0, 2))).rejects.toThrow(RcnnError);
    const single = {
      ...batch,
      tensor: tf.zeros([1, 96, 128, 3]) as tf.Tensor4D,
      imageSizes: [[96, 128]] as [number, number][],
    };
    await expect(rpn.predict(single, features)).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_SHAPE' }),
    );
    disposeAll([targets, batch.tensor, single.tensor]);
    disposeFeatures(features);
    rpn.dispose();
  });

  it('does not leak (predict, loss, assignTargets + computeLosses)', async () => {
    const rpn = fixtureRpn();
    const batch = fixtureBatch();
    const features = fixtureFeatures();
    const targets = fixtureTargets();
    await expectNoLeaks(async () => {
      disposeAll(await rpn.predict(batch, features));
      disposeAll(await rpn.loss(batch, features, targets));
      const assigned = await rpn.assignTargets(batch, features, targets);
      const head = rpn.forwardHead(features);
      disposeAll([rpn.computeLosses(head, assigned), head.objectness, head.boxDeltas]);
      assigned.dispose();
      await expect(rpn.predict(batch, features.slice(1))).rejects.toThrow(RcnnError);
    }, 2);
    disposeAll([targets, batch.tensor]);
    disposeFeatures(features);
    rpn.dispose();
  });
});
