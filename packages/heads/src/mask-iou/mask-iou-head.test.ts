import { RcnnError, type StateDict, type WeightTensor } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expect, it } from 'vitest';
import { HEADS_LOSS_KEYS } from '../loss-keys';
import { MaskIouHead } from './mask-iou-head';
import { maskIouLoss } from './mask-iou-loss';

const float = (shape: number[], values: number[] = []): WeightTensor => {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  data.set(values);
  return { dtype: 'float32', shape, data };
};

/** A 1-channel head whose every weight is set by hand (see the test for the arithmetic). */
function handWeights(): StateDict {
  const conv1 = float([1, 2, 3, 3]);
  conv1.data[0 * 9 + 4] = 2; // feature channel, centre tap
  conv1.data[1 * 9 + 4] = 1; // mask channel, centre tap
  const identity = float([1, 1, 3, 3]);
  identity.data[4] = 1;
  const prefix = 'roi_heads.mask_iou_head.';
  return new Map<string, WeightTensor>([
    [`${prefix}maskiou_fcn1.weight`, conv1],
    [`${prefix}maskiou_fcn1.bias`, float([1])],
    [`${prefix}maskiou_fcn2.weight`, identity],
    [`${prefix}maskiou_fcn2.bias`, float([1])],
    [`${prefix}maskiou_fcn3.weight`, identity],
    [`${prefix}maskiou_fcn3.bias`, float([1])],
    [`${prefix}maskiou_fcn4.weight`, float([1, 1, 3, 3], Array(9).fill(1))],
    [`${prefix}maskiou_fcn4.bias`, float([1])],
    [`${prefix}maskiou_fc1.weight`, float([1, 1], [1])],
    [`${prefix}maskiou_fc1.bias`, float([1])],
    [`${prefix}maskiou_fc2.weight`, float([1, 1], [1])],
    [`${prefix}maskiou_fc2.bias`, float([1])],
    [`${prefix}maskiou.weight`, float([2, 1], [0.5, -1])],
    [`${prefix}maskiou.bias`, float([2], [0, 3])],
  ]);
}

describeEachBackend('MaskIouHead (Mask Scoring R-CNN)', () => {
  it('gives [R, numClasses] for default-sized inputs', () => {
    const head = new MaskIouHead({ inChannels: 8, convChannels: 8, fcSize: 16, numClasses: 5, seed: 1 });
    const features = tf.randomUniform([3, 14, 14, 8], -1, 1, 'float32', 2) as tf.Tensor4D;
    const masks = tf.randomUniform([3, 28, 28], 0, 1, 'float32', 3) as tf.Tensor3D;
    const out = head.forward(features, masks);
    expect(out.shape).toEqual([3, 5]);
    const empty = head.forward(tf.zeros([0, 14, 14, 8]) as tf.Tensor4D, tf.zeros([0, 28, 28]) as tf.Tensor3D);
    expect(empty.shape).toEqual([0, 5]);
    expect(() => head.forward(features, tf.zeros([3, 14, 14]) as tf.Tensor3D)).toThrow(/masks \[3, 28, 28\]/);
    tf.dispose([features, masks, out, empty]);
    head.dispose();
  });

  it('computes a hand-worked case: features first, max-pooled mask last, stride-2 padded conv', async () => {
    const head = new MaskIouHead({ inChannels: 1, resolution: 2, convChannels: 1, fcSize: 1, numClasses: 2 });
    expect(head.loadStateDict(handWeights())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const features = tf.tensor4d([0.1, -0.5, 0.2, 0.0], [1, 2, 2, 1]);
    // 4x4 mask; its 2x2 max-pools are 0.9, 0.7 / 0.3, 0.95
    const mask = tf.tensor3d(
      [0.1, 0.9, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.0, 0.2, 0.8, 0.1, 0.3, 0.3, 0.3, 0.95],
      [1, 4, 4],
    );
    // conv1: relu(2 f + m) = [1.1, 0 (2 * -0.5 + 0.7 < 0), 0.7, 0.95]; conv2, conv3: identity;
    // conv4 (stride 2, padding 1, all-ones 3x3) sees the whole 2x2 map: S = 2.75; fc1, fc2: identity;
    // output: [0.5 S, 3 - S]
    const out = head.forward(features, mask);
    const values = Array.from(await out.data());
    expect(values[0]).toBeCloseTo(1.375, 5);
    expect(values[1]).toBeCloseTo(0.25, 5);
    tf.dispose([features, mask, out]);
    head.dispose();
  });

  it('rejects missing weights and a bad resolution', () => {
    const head = new MaskIouHead({ inChannels: 1, resolution: 2, convChannels: 1, fcSize: 1, numClasses: 2 });
    const partial = handWeights();
    partial.delete('roi_heads.mask_iou_head.maskiou.bias');
    expect(() => head.loadStateDict(partial)).toThrow(RcnnError);
    expect(() => head.loadStateDict(partial)).toThrow(/missing \[roi_heads\.mask_iou_head\.maskiou\.bias\]/);
    expect(() => new MaskIouHead({ resolution: 7 })).toThrow(/resolution must be even/);
    head.dispose();
  });

  it('does not leak', async () => {
    const head = new MaskIouHead({ inChannels: 4, convChannels: 4, fcSize: 8, numClasses: 3, seed: 4 });
    const features = tf.randomUniform([2, 14, 14, 4], -1, 1, 'float32', 5) as tf.Tensor4D;
    const masks = tf.randomUniform([2, 28, 28], 0, 1, 'float32', 6) as tf.Tensor3D;
    await expectNoLeaks(() => head.forward(features, masks).dispose());
    tf.dispose([features, masks]);
    head.dispose();
  });
});

// Conv weight gradients need Conv2DBackpropFilter, which tfjs-backend-wasm 4.22 does not have.
describeEachBackend('MaskIouHead gradient flow', () => {
  it('reaches every weight and the mask input through the MaskIoU loss', () => {
    const head = new MaskIouHead({ inChannels: 4, convChannels: 6, fcSize: 8, numClasses: 3, seed: 7 });
    const features = tf.randomUniform([4, 14, 14, 4], -1, 1, 'float32', 8) as tf.Tensor4D;
    const masks = tf.randomUniform([4, 28, 28], 0, 1, 'float32', 9) as tf.Tensor3D;
    const targets = tf.tensor1d([0.2, 0.9, 0.5, 0.7]);
    const labels = [1, 2, 0, 1];
    const lossOf = (maskInput: tf.Tensor3D) =>
      maskIouLoss({ maskIouPrediction: head.forward(features, maskInput), labels, maskIouTargets: targets })[
        HEADS_LOSS_KEYS.maskIouL2
      ];
    const { value, grads } = tf.variableGrads(() => lossOf(masks), head.trainableVariables());
    expect(Object.keys(grads)).toHaveLength(head.trainableVariables().length);
    for (const [name, gradient] of Object.entries(grads)) {
      const norm = tf.tidy(() => tf.norm(gradient).dataSync()[0]!);
      expect(Number.isFinite(norm), name).toBe(true);
      expect(norm, name).toBeGreaterThan(0);
    }
    const maskGradient = tf.grad((m: tf.Tensor) => lossOf(m as tf.Tensor3D))(masks);
    expect(tf.tidy(() => tf.norm(maskGradient).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads), maskGradient, features, masks, targets]);
    head.dispose();
  });
}, ['cpu']);
