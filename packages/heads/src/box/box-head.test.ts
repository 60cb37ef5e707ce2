import { deterministicStateDict, deterministicTensor, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureTensor, readHeadsFixture } from '../test-support/fixtures';
import { FastRcnnPredictor } from './fast-rcnn-predictor';
import { TwoMlpHead } from './two-mlp-head';

const fixture = readHeadsFixture('box-head.safetensors');
const ROIS = 6;
const CHANNELS = 256;
const CLASSES = 91;

describeEachBackend('box head parity with torchvision TwoMLPHead + FastRCNNPredictor', () => {
  let head: TwoMlpHead;
  let predictor: FastRcnnPredictor;
  let pooled: tf.Tensor4D;

  beforeAll(() => {
    head = new TwoMlpHead({ inChannels: CHANNELS });
    predictor = new FastRcnnPredictor({ numClasses: CLASSES });
    const weights = deterministicStateDict([...head.stateDictShapes(), ...predictor.stateDictShapes()]);
    head.loadStateDict(weights);
    predictor.loadStateDict(weights);
    pooled = tf.tensor4d(deterministicTensor('heads/box/pooled', [ROIS, 7, 7, CHANNELS]), [
      ROIS,
      7,
      7,
      CHANNELS,
    ]);
  });
  afterAll(() => {
    head.dispose();
    predictor.dispose();
    pooled.dispose();
  });

  it('gives torchvision features, class logits and box deltas (1e-4 relative)', () => {
    const features = head.forward(pooled);
    const { classLogits, boxRegression } = predictor.forward(features);
    const expected = ['features', 'classLogits', 'boxRegression'].map((n) => fixtureTensor(fixture, n));
    const actual = [features, classLogits, boxRegression];
    actual.forEach((tensor, i) => {
      expect(tensor.shape).toEqual(expected[i]!.shape);
      expect(relativeError(tensor, expected[i]!)).toBeLessThan(1e-4);
    });
    tf.dispose([...actual, ...expected]);
  });

  it('handles zero RoIs', () => {
    const empty = tf.zeros([0, 7, 7, CHANNELS]) as tf.Tensor4D;
    const features = head.forward(empty);
    const { classLogits, boxRegression } = predictor.forward(features);
    expect(features.shape).toEqual([0, 1024]);
    expect(classLogits.shape).toEqual([0, CLASSES]);
    expect(boxRegression.shape).toEqual([0, 4 * CLASSES]);
    tf.dispose([empty, features, classLogits, boxRegression]);
  });

  it('rejects pooled features of the wrong shape or layout', () => {
    const nchw = tf.zeros([2, CHANNELS, 7, 7]) as tf.Tensor4D;
    expect(() => head.forward(nchw)).toThrow(RcnnError);
    expect(() => head.forward(nchw)).toThrow(/\[R, 7, 7, 256\]/);
    const wrongWidth = tf.zeros([2, 512]) as tf.Tensor2D;
    expect(() => predictor.forward(wrongWidth)).toThrow(/FastRcnnPredictor expects float32 \[R, 1024\]/);
    tf.dispose([nchw, wrongWidth]);
  });

  it('does not leak', async () => {
    await expectNoLeaks(() => {
      const features = head.forward(pooled);
      const out = predictor.forward(features);
      tf.dispose([features, out.classLogits, out.boxRegression]);
    });
  });
});
