import { deterministicStateDict, deterministicTensor, RcnnError, type StateDict } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureTensor, readHeadsFixture } from '../test-support/fixtures';
import { MaskRcnnHead } from './mask-rcnn-head';
import { MaskRcnnPredictor } from './mask-rcnn-predictor';

const fixture = readHeadsFixture('mask-head.safetensors');
const ROIS = 6;
const CHANNELS = 16;
const CLASSES = 5;

function build() {
  const head = new MaskRcnnHead({ inChannels: CHANNELS, layers: [16, 16, 16, 16] });
  const predictor = new MaskRcnnPredictor({ inChannels: 16, dimReduced: 16, numClasses: CLASSES });
  return { head, predictor };
}

/** Renames torchvision >= 0.13 keys `roi_heads.mask_head.{i}.0.*` to the older `mask_fcn{i+1}.*` (same values). */
function toLegacyNames(weights: StateDict): StateDict {
  const legacy: StateDict = new Map();
  for (const [key, value] of weights) {
    legacy.set(
      key.replace(/mask_head\.(\d+)\.0\./, (_, i) => `mask_head.mask_fcn${Number(i) + 1}.`),
      value,
    );
  }
  return legacy;
}

describeEachBackend('mask head parity with torchvision MaskRCNNHeads + MaskRCNNPredictor', () => {
  let head: MaskRcnnHead;
  let predictor: MaskRcnnPredictor;
  let weights: StateDict;
  let pooled: tf.Tensor4D;

  beforeAll(() => {
    ({ head, predictor } = build());
    weights = deterministicStateDict([...head.stateDictShapes(), ...predictor.stateDictShapes()]);
    head.loadStateDict(weights);
    predictor.loadStateDict(weights);
    pooled = tf.tensor4d(deterministicTensor('heads/mask/pooled', [ROIS, 14, 14, CHANNELS]), [
      ROIS,
      14,
      14,
      CHANNELS,
    ]);
  });
  afterAll(() => {
    head.dispose();
    predictor.dispose();
    pooled.dispose();
  });

  it('names its parameters as torchvision 0.14 does', () => {
    const names = [...head.stateDictShapes(''), ...predictor.stateDictShapes('')].map(([n]) => n).sort();
    expect(names).toEqual(JSON.parse(fixture.metadata.stateDictNames!));
  });

  it('gives torchvision features and 28x28 mask logits (1e-4 relative)', () => {
    const features = head.forward(pooled);
    const logits = predictor.forward(features);
    const expectedFeatures = fixtureTensor(fixture, 'features');
    const expectedLogits = fixtureTensor(fixture, 'maskLogits');
    expect(logits.shape).toEqual([ROIS, 28, 28, CLASSES]);
    expect(relativeError(features, expectedFeatures)).toBeLessThan(1e-4);
    expect(relativeError(logits, expectedLogits)).toBeLessThan(1e-4);
    tf.dispose([features, logits, expectedFeatures, expectedLogits]);
  });

  it('loads the older mask_fcn{i} names to the same outputs', () => {
    const legacy = build();
    const report = legacy.head.loadStateDict(toLegacyNames(weights));
    expect(report).toEqual({ missingKeys: [], unexpectedKeys: [] });
    legacy.predictor.loadStateDict(weights);
    const features = legacy.head.forward(pooled);
    const expected = fixtureTensor(fixture, 'features');
    expect(relativeError(features, expected)).toBeLessThan(1e-4);
    tf.dispose([features, expected]);
    legacy.head.dispose();
    legacy.predictor.dispose();
  });

  it('reports missing and unexpected keys', () => {
    const fresh = build();
    const broken: StateDict = new Map(weights);
    broken.delete('roi_heads.mask_head.2.0.weight');
    broken.set('roi_heads.mask_head.0.1.weight', weights.get('roi_heads.mask_head.0.0.bias')!); // a norm layer (v2)
    expect(() => fresh.head.loadStateDict(broken)).toThrow(RcnnError);
    expect(() => fresh.head.loadStateDict(broken)).toThrow(
      /missing \[roi_heads\.mask_head\.2\.0\.weight\], unexpected \[roi_heads\.mask_head\.0\.1\.weight\]/,
    );
    const report = fresh.head.loadStateDict(broken, 'roi_heads.mask_head.', { strict: false });
    expect(report.missingKeys).toEqual(['roi_heads.mask_head.2.0.weight']);
    expect(report.unexpectedKeys).toEqual(['roi_heads.mask_head.0.1.weight']);
    const wrongShape: StateDict = new Map(weights);
    wrongShape.set(
      'roi_heads.mask_predictor.conv5_mask.weight',
      weights.get('roi_heads.mask_head.0.0.weight')!,
    );
    expect(() => fresh.predictor.loadStateDict(wrongShape)).toThrow(
      /conv5_mask\.weight must be float32 \[16, 16, 2, 2\]/,
    );
    fresh.head.dispose();
    fresh.predictor.dispose();
  });

  it('handles zero RoIs and rejects NCHW input', () => {
    const empty = tf.zeros([0, 14, 14, CHANNELS]) as tf.Tensor4D;
    const features = head.forward(empty);
    const logits = predictor.forward(features);
    expect(logits.shape).toEqual([0, 28, 28, CLASSES]);
    const nchw = tf.zeros([2, CHANNELS, 14, 14]) as tf.Tensor4D;
    expect(() => head.forward(nchw)).toThrow(
      /MaskRcnnHead expects pooled features float32 \[R, 14, 14, 16\]/,
    );
    tf.dispose([empty, features, logits, nchw]);
  });

  it('does not leak (forward, loadStateDict)', async () => {
    await expectNoLeaks(() => {
      const features = head.forward(pooled);
      tf.dispose([features, predictor.forward(features)]);
      head.loadStateDict(weights);
      predictor.loadStateDict(weights);
    });
  });
});
