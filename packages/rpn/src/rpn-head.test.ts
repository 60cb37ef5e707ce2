import { deterministicStateDict, RcnnError, type StateDict } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  disposeFeatures,
  fixtureFeatures,
  fixtureHead,
  fixtureHeadWeights,
  rpnFixture,
} from '../test/rpn-fixture';
import { flattenHeadOutputs } from './flatten-head-outputs';
import { RpnHead } from './rpn-head';

function runFlattened(head: RpnHead) {
  const features = fixtureFeatures();
  const levels = head.forward(features);
  const flat = flattenHeadOutputs(levels);
  disposeFeatures(features);
  tf.dispose([...levels.objectness, ...levels.boxDeltas]);
  return flat;
}

function withLegacyNames(dict: StateDict): StateDict {
  return new Map(
    [...dict].map(([key, value]) => [key.replace('rpn.head.conv.0.0.', 'rpn.head.conv.'), value]),
  );
}

describeEachBackend('RpnHead', () => {
  it('lists torchvision >= 0.14 names with torch shapes', () => {
    const head = new RpnHead({ inChannels: 8, numAnchors: 3, convDepth: 2 });
    expect(head.stateDictShapes()).toEqual([
      ['rpn.head.conv.0.0.weight', [8, 8, 3, 3]],
      ['rpn.head.conv.0.0.bias', [8]],
      ['rpn.head.conv.1.0.weight', [8, 8, 3, 3]],
      ['rpn.head.conv.1.0.bias', [8]],
      ['rpn.head.cls_logits.weight', [3, 8, 1, 1]],
      ['rpn.head.cls_logits.bias', [3]],
      ['rpn.head.bbox_pred.weight', [12, 8, 1, 1]],
      ['rpn.head.bbox_pred.bias', [12]],
    ]);
    head.dispose();
  });

  it('matches torchvision RPNHead outputs (flattened) within 1e-4', () => {
    const fixture = rpnFixture();
    const head = fixtureHead();
    const flat = runFlattened(head);
    expect(flat.numAnchorsPerLevel).toEqual(fixture.numAnchorsPerLevel);
    expect(flat.objectness.shape).toEqual(fixture.shape('head/objectness'));
    expect(flat.boxDeltas.shape).toEqual(fixture.shape('head/boxDeltas'));
    const objectnessError = relativeError(flat.objectness, fixture.floats('head/objectness'));
    const deltasError = relativeError(flat.boxDeltas, fixture.floats('head/boxDeltas'));
    console.info(
      `RpnHead parity: objectness rel ${objectnessError.toExponential(2)}, deltas rel ${deltasError.toExponential(2)}`,
    );
    expect(objectnessError).toBeLessThan(1e-4);
    expect(deltasError).toBeLessThan(1e-4);
    tf.dispose([flat.objectness, flat.boxDeltas]);
    head.dispose();
  });

  it('loads the pre-0.14 naming (conv.weight) to the same outputs', async () => {
    const modern = fixtureHead();
    const legacy = new RpnHead({ inChannels: rpnFixture().channels });
    legacy.loadStateDict(withLegacyNames(fixtureHeadWeights()));
    const a = runFlattened(modern);
    const b = runFlattened(legacy);
    expect(Array.from(await b.objectness.data())).toEqual(Array.from(await a.objectness.data()));
    expect(Array.from(await b.boxDeltas.data())).toEqual(Array.from(await a.boxDeltas.data()));
    tf.dispose([a.objectness, a.boxDeltas, b.objectness, b.boxDeltas]);
    modern.dispose();
    legacy.dispose();
  });

  it('reports missing and unexpected keys, bad shapes and bad features', () => {
    const head = new RpnHead({ inChannels: 8 });
    const weights = deterministicStateDict(head.stateDictShapes());
    const missing = new Map(weights);
    missing.delete('rpn.head.cls_logits.bias');
    missing.set('rpn.head.extra.weight', weights.get('rpn.head.cls_logits.weight')!);
    expect(() => head.loadStateDict(missing)).toThrow(
      expect.objectContaining({
        code: 'MISSING_KEYS',
        message: expect.stringMatching(
          /missing \[rpn\.head\.cls_logits\.bias\], unexpected \[rpn\.head\.extra\.weight\]/,
        ),
      }),
    );
    const both = new Map([...weights, ...withLegacyNames(weights)]);
    expect(() => head.loadStateDict(both)).toThrow(
      /unexpected \[rpn\.head\.conv\.weight, rpn\.head\.conv\.bias\]/,
    );
    const deep = new RpnHead({ inChannels: 8, convDepth: 2 });
    expect(() => deep.loadStateDict(withLegacyNames(deterministicStateDict(deep.stateDictShapes())))).toThrow(
      RcnnError,
    );
    const wrongShape = new Map(weights);
    wrongShape.set('rpn.head.cls_logits.bias', { dtype: 'float32', shape: [4], data: new Float32Array(4) });
    expect(() => head.loadStateDict(wrongShape)).toThrow(
      expect.objectContaining({ code: 'INVALID_WEIGHTS' }),
    );
    const features = [{ name: 'p2' as const, stride: 4, tensor: tf.zeros([1, 4, 4, 5]) as tf.Tensor4D }];
    expect(() => head.forward(features)).toThrow(expect.objectContaining({ code: 'INVALID_SHAPE' }));
    expect(() => head.forward([])).toThrow(RcnnError);
    expect(() => new RpnHead({ numAnchors: 0 })).toThrow(RcnnError);
    disposeFeatures(features);
    head.dispose();
    deep.dispose();
  });

  it('loads with a custom prefix and ignores keys outside it', () => {
    const head = new RpnHead({ inChannels: 8 });
    const weights = deterministicStateDict([
      ...head.stateDictShapes('model.rpn.head.'),
      ['backbone.body.conv1.weight', [4, 3, 7, 7]],
    ]);
    expect(() => head.loadStateDict(weights, 'model.rpn.head.')).not.toThrow();
    head.dispose();
  });

  it('does not leak (forward, flatten, load, dispose)', async () => {
    const weights = fixtureHeadWeights();
    const features = fixtureFeatures();
    await expectNoLeaks(() => {
      const head = new RpnHead({ inChannels: rpnFixture().channels });
      head.loadStateDict(weights);
      const levels = head.forward(features);
      const flat = flattenHeadOutputs(levels);
      tf.dispose([...levels.objectness, ...levels.boxDeltas, flat.objectness, flat.boxDeltas]);
      head.dispose();
    });
    disposeFeatures(features);
  });
});
