import { describeEachBackend, expectNoLeaks, expectTensorsClose, seededRandom } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expect, it } from 'vitest';
import { type RoiAlignOptions, roiAlign, roiAlignReference } from './index';

/** A tiny case: 1 x 5 x 6 x 2 features, three boxes (inside, across the border, sub-pixel). */
function tinyCase() {
  const random = seededRandom(7);
  const features = Float32Array.from({ length: 5 * 6 * 2 }, () => random() * 2 - 1);
  const boxes = [
    [1.2, 0.7, 9.1, 7.9],
    [-3, 4.5, 6.5, 12],
    [4.1, 3.3, 4.6, 3.9],
  ];
  const weights = Float32Array.from({ length: 3 * 3 * 3 * 2 }, () => random() * 2 - 1);
  return { features, boxes, weights };
}

const configurations: [string, RoiAlignOptions][] = [
  ['avg, legacy, ratio 2', { outputSize: 3, spatialScale: 0.5, samplingRatio: 2 }],
  ['avg, aligned, adaptive', { outputSize: 3, spatialScale: 0.5, samplingRatio: 0, aligned: true }],
  ['max, legacy, ratio 2', { outputSize: 3, spatialScale: 0.5, samplingRatio: 2, poolingMode: 'max' }],
];

describeEachBackend('roiAlign gradient by central finite differences', (backend) => {
  const { features, boxes, weights } = tinyCase();
  const loss = (x: tf.Tensor, options: RoiAlignOptions, pool = roiAlign) =>
    tf.tidy(() => {
      const out = pool(x as tf.Tensor4D, tf.tensor2d(boxes), tf.tensor1d([0, 0, 0], 'int32'), options);
      return tf.sum(tf.mul(out, tf.tensor4d(weights, [3, 3, 3, 2])));
    });

  for (const [label, options] of configurations) {
    it(`${label}: kernel gradient = finite differences = reference gradient`, () => {
      const x = tf.tensor4d(features, [1, 5, 6, 2]);
      const analytic = tf.grad((t) => loss(t, options))(x);
      const reference = tf.grad((t) => loss(t, options, roiAlignReference))(x);
      // RoIAlign is linear in the features (piecewise, for max): a small step is exact up to rounding.
      const step = options.poolingMode === 'max' ? 1e-3 : 0.25;
      const numeric = new Float32Array(features.length);
      for (let i = 0; i < features.length; i++) {
        const at = (delta: number) => {
          const shifted = features.slice();
          shifted[i]! += delta;
          const t = tf.tensor4d(shifted, [1, 5, 6, 2]);
          const value = loss(t, options).dataSync()[0]!;
          t.dispose();
          return value;
        };
        numeric[i] = (at(step) - at(-step)) / (2 * step);
      }
      expectTensorsClose(analytic, numeric, { atol: 3e-3, rtol: 1e-3 });
      expectTensorsClose(analytic, reference, { atol: 1e-5, rtol: 1e-5 });
      expect(
        tf.max(tf.abs(analytic)).dataSync()[0],
        `${backend}: the gradient is not trivially zero`,
      ).toBeGreaterThan(0.1);
      tf.dispose([x, analytic, reference]);
    });
  }

  it('no gradient flows to the boxes (zeros, as torchvision returns none)', async () => {
    const x = tf.tensor4d(features, [1, 5, 6, 2]);
    await expectNoLeaks(() => {
      const b = tf.tensor2d(boxes);
      const g = tf.grad((t) =>
        tf.sum(roiAlign(x, t as tf.Tensor2D, tf.tensor1d([0, 0, 0], 'int32'), { outputSize: 2 })),
      )(b);
      expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
      tf.dispose([b, g]);
    });
    x.dispose();
  });
});
