import { describeEachBackend, expectNoLeaks, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deterministicBackboneWeights, fixtureImages, readFixture } from '../test/fixture-cases';
import { createNorm } from './norm-layer';
import { resnetConv } from './residual-block';
import { resnetArchitecture } from './resnet-architecture';
import { ResnetBody } from './resnet-body';

// resnet18-aligned.safetensors holds torchvision's body outputs C2..C5 ('0'..'3' of IntermediateLayerGetter).
const fixture = readFixture('resnet18-aligned.safetensors');

describeEachBackend('ResnetBody parity with torchvision IntermediateLayerGetter(resnet18)', () => {
  let body: ResnetBody;
  beforeAll(() => {
    const norm = { norm: 'frozen-bn', groupNormGroups: 32, batchNormEpsilon: 1e-5 } as const;
    body = new ResnetBody(resnetArchitecture({ depth: 18 }), 4, {
      norm: (channels) => createNorm(norm, channels),
      conv: (inChannels, outChannels, kernelSize, geometry) =>
        resnetConv(inChannels, outChannels, kernelSize, geometry),
    });
    const report = body.loadStateDict(deterministicBackboneWeights({ depth: 18 }), 'backbone.body.', {
      strict: false,
    });
    expect(report.missingKeys).toEqual([]);
  });
  afterAll(() => body.dispose());

  it('gives C2..C5 within 1e-5 relative error', () => {
    const images = fixtureImages(fixture);
    const outputs = body.forward(images, [1, 2, 3, 4]);
    outputs.forEach((output, i) => {
      const expected = fixture.tensors.get(`c${i + 2}`)!;
      expect(output.shape).toEqual(expected.shape);
      expect(relativeError(output, expected.data), `c${i + 2}`).toBeLessThan(1e-5);
    });
    tf.dispose([images, ...outputs]);
  });

  it('returns only the requested layers, and the same tensors as running stage by stage', () => {
    const images = fixtureImages(fixture);
    const some = body.forward(images, [2, 4]);
    expect(some.map((output) => output.shape[3])).toEqual([128, 512]);
    const stem = body.applyStem(images);
    expect(stem.shape).toEqual([1, 8, 8, 64]);
    const layer1 = body.applyLayer(1, stem);
    const layer2 = body.applyLayer(2, layer1);
    expect(relativeError(layer2, some[0]!)).toBe(0);
    tf.dispose([images, ...some, stem, layer1, layer2]);
  });

  it('does not leak tensors in forward, applyStem, applyLayer and a block', async () => {
    const images = fixtureImages(fixture);
    await expectNoLeaks(() => tf.dispose(body.forward(images, [1, 2, 3, 4])));
    await expectNoLeaks(() => {
      const stem = body.applyStem(images);
      const layer1 = body.applyLayer(1, stem);
      const block = body.layers[1]![0]!.forward(layer1);
      tf.dispose([stem, layer1, block]);
    });
    expect(images.isDisposed).toBe(false);
    images.dispose();
  });
});
