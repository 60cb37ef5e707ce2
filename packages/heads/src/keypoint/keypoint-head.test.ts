import { deterministicStateDict, deterministicTensor } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureTensor, readHeadsFixture } from '../test-support/fixtures';
import { KeypointRcnnHead } from './keypoint-rcnn-head';
import { KeypointRcnnPredictor } from './keypoint-rcnn-predictor';

const fixture = readHeadsFixture('keypoint-head.safetensors');
const ROIS = 2;
const CHANNELS = 16;
const KEYPOINTS = 17;

describeEachBackend('keypoint head parity with torchvision KeypointRCNNHeads + KeypointRCNNPredictor', () => {
  let head: KeypointRcnnHead;
  let predictor: KeypointRcnnPredictor;
  let pooled: tf.Tensor4D;

  beforeAll(() => {
    head = new KeypointRcnnHead({ inChannels: CHANNELS, layers: Array(8).fill(24) });
    predictor = new KeypointRcnnPredictor({ inChannels: 24, numKeypoints: KEYPOINTS });
    const weights = deterministicStateDict([...head.stateDictShapes(), ...predictor.stateDictShapes()]);
    head.loadStateDict(weights);
    predictor.loadStateDict(weights);
    pooled = tf.tensor4d(deterministicTensor('heads/keypoint/pooled', [ROIS, 14, 14, CHANNELS]), [
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

  it('gives torchvision features, 28x28 transposed-conv output and 56x56 logits (1e-4 relative)', () => {
    const features = head.forward(pooled);
    const lowres = predictor.forwardLowResolution(features);
    const logits = predictor.forward(features);
    expect(logits.shape).toEqual([ROIS, 56, 56, KEYPOINTS]);
    for (const [actual, name] of [
      [features, 'features'],
      [lowres, 'lowres'],
      [logits, 'keypointLogits'],
    ] as const) {
      const expected = fixtureTensor(fixture, name);
      expect(actual.shape).toEqual(expected.shape);
      expect(relativeError(actual, expected), name).toBeLessThan(1e-4);
      expected.dispose();
    }
    tf.dispose([features, lowres, logits]);
  });

  it('handles zero RoIs and rejects the wrong channel count', () => {
    const empty = tf.zeros([0, 14, 14, CHANNELS]) as tf.Tensor4D;
    const features = head.forward(empty);
    const logits = predictor.forward(features);
    expect(logits.shape).toEqual([0, 56, 56, KEYPOINTS]);
    expect(() => predictor.forward(empty)).toThrow(/KeypointRcnnPredictor expects float32 \[R, S, S, 24\]/);
    tf.dispose([empty, features, logits]);
  });

  it('does not leak', async () => {
    await expectNoLeaks(() => {
      const features = head.forward(pooled);
      tf.dispose([features, predictor.forward(features), predictor.forwardLowResolution(features)]);
    });
  });
});
