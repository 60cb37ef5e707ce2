import {
  describeEachBackend,
  expectNoLeaks,
  expectTensorsClose,
  randomBoxes,
  relativeError,
} from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { asBoxes } from '../types/boxes';
import { fixtureArray, fixtureBoxes, fixtureMeta, fixtureTensor } from './__fixtures__/box-ops';
import { BoxCoder } from './box-coder';

const weightSets = { w1: [1, 1, 1, 1], w10: [10, 10, 5, 5] } as const;

describeEachBackend('BoxCoder (parity with torchvision _utils.BoxCoder)', () => {
  it.each(Object.entries(weightSets))('encodes like encode_single with weights %s', (label, weights) => {
    const coder = new BoxCoder({ weights });
    const targets = fixtureBoxes('coder/targets');
    const reference = fixtureBoxes('coder/reference');
    const encoded = coder.encode(targets, reference);
    const expected = fixtureArray(`coder/${label}/encoded`);
    expect(encoded.shape).toEqual(expected.shape);
    expect(relativeError(encoded, expected.data)).toBeLessThan(1e-6);
    expectTensorsClose(encoded, expected.data, { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([targets, reference, encoded]);
  });

  it.each(Object.entries(weightSets))(
    'decodes like decode_single (K = 3, dw/dh clamped) with weights %s',
    (label, weights) => {
      const coder = new BoxCoder({ weights });
      const deltas = fixtureTensor('coder/deltas') as tf.Tensor2D;
      const reference = fixtureBoxes('coder/reference');
      const decoded = coder.decode(deltas, reference);
      const expected = fixtureArray(`coder/${label}/decoded`);
      expect(decoded.shape).toEqual([60, 12]);
      expect(relativeError(decoded, expected.data)).toBeLessThan(1e-6);
      expectTensorsClose(decoded, expected.data, { rtol: 1e-5, atol: 1e-4 });
      tf.dispose([deltas, reference, decoded]);
    },
  );

  it('clamps dw/dh at log(1000 / 16) by default', () => {
    expect(new BoxCoder({ weights: [1, 1, 1, 1] }).scaleClamp).toBeCloseTo(
      Number(fixtureMeta<number>('clampLimit')),
      12,
    );
    const coder = new BoxCoder({ weights: [1, 1, 1, 1] });
    const reference = asBoxes(tf.tensor2d([[0, 0, 10, 10]]));
    const deltas = tf.tensor2d([[0, 0, 50, 50]]);
    const decoded = coder.decode(deltas, reference);
    // width 10 * 1000 / 16 = 625 around centre 5
    expectTensorsClose(decoded, [5 - 312.5, 5 - 312.5, 5 + 312.5, 5 + 312.5], { rtol: 1e-5 });
    tf.dispose([reference, deltas, decoded]);
  });

  it('decode(encode(b)) reproduces b', () => {
    for (const weights of Object.values(weightSets)) {
      const coder = new BoxCoder({ weights });
      const targets = asBoxes(tf.tensor2d(randomBoxes(40, { seed: 31, width: 200, height: 150 }), [40, 4]));
      const reference = asBoxes(tf.tensor2d(randomBoxes(40, { seed: 32, width: 200, height: 150 }), [40, 4]));
      const encoded = coder.encode(targets, reference);
      const decoded = coder.decode(encoded, reference);
      expectTensorsClose(decoded, targets, { atol: 1e-3, rtol: 1e-5 });
      tf.dispose([targets, reference, encoded, decoded]);
    }
  });

  it('handles zero boxes', () => {
    const coder = new BoxCoder({ weights: [10, 10, 5, 5] });
    const none = asBoxes(tf.zeros([0, 4]));
    const deltas = tf.zeros([0, 8]) as tf.Tensor2D;
    const encoded = coder.encode(none, none);
    const decoded = coder.decode(deltas, none);
    expect(encoded.shape).toEqual([0, 4]);
    expect(decoded.shape).toEqual([0, 8]);
    tf.dispose([none, deltas, encoded, decoded]);
  });

  it('rejects bad weights and shapes with RcnnError', () => {
    expect(() => new BoxCoder({ weights: [1, 1, 0, 1] })).toThrow(RcnnError);
    expect(() => new BoxCoder({ weights: [1, 1, 1] as never })).toThrow(/4 finite non-zero numbers/);
    const coder = new BoxCoder({ weights: [1, 1, 1, 1] });
    const three = asBoxes(tf.zeros([3, 4]));
    const two = asBoxes(tf.zeros([2, 4]));
    const oddDeltas = tf.zeros([3, 6]) as tf.Tensor2D;
    const flatDeltas = tf.zeros([12]);
    expect(() => coder.encode(three, two)).toThrow(/one reference box per target box/);
    expect(() => coder.decode(oddDeltas, three)).toThrow(/\[N, 4 \* K\]/);
    expect(() => coder.decode(flatDeltas as never, three)).toThrow(RcnnError);
    expect(() => coder.decode(tf.zeros([2, 4]) as tf.Tensor2D, three)).toThrow(RcnnError);
    tf.dispose([three, two, oddDeltas, flatDeltas]);
  });

  it('does not leak', async () => {
    const coder = new BoxCoder({ weights: [10, 10, 5, 5] });
    const boxes = asBoxes(tf.tensor2d(randomBoxes(10, { seed: 9 }), [10, 4]));
    const deltas = tf.randomUniform([10, 8], -1, 1, 'float32', 1) as tf.Tensor2D;
    await expectNoLeaks(() => {
      tf.dispose([coder.encode(boxes, boxes), coder.decode(deltas, boxes)]);
    });
    tf.dispose([boxes, deltas]);
  });
});
