import { RcnnError } from '@rcnn/core';
import {
  describeEachBackend,
  expectNoLeaks,
  expectTensorsClose,
  maxAbsDiff,
  relativeError,
} from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureData,
  fixtureTensor,
  loadFixture,
  lossWeights,
  weightedGradients,
} from './__fixtures__/fixture-tensors';
import { type RoiAlignOptions, roiAlign, roiAlignReference } from './index';

const { entries, metadata } = loadFixture('roi-align.safetensors');
type Case = { out: [number, number]; scale: number; sampling: number; aligned: boolean };
const cases = JSON.parse(metadata.cases!) as Record<string, Case>;
const optionsOf = (c: Case): RoiAlignOptions => ({
  outputSize: c.out,
  spatialScale: c.scale,
  samplingRatio: c.sampling,
  aligned: c.aligned,
});
const paths = { kernel: roiAlign, reference: roiAlignReference } as const;
/** Worst |ours - torchvision| per backend, path and case: printed once, quoted in the README. */
const figures: string[] = [];

describeEachBackend('roiAlign parity with torchvision.ops.roi_align', (backend) => {
  let features: tf.Tensor4D;
  let boxes: tf.Tensor2D;
  let batchIndices: tf.Tensor1D;
  beforeAll(() => {
    features = fixtureTensor(entries, 'features') as tf.Tensor4D;
    boxes = fixtureTensor(entries, 'boxes') as tf.Tensor2D;
    batchIndices = fixtureTensor(entries, 'batchIndices') as tf.Tensor1D;
  });
  afterAll(() => tf.dispose([features, boxes, batchIndices]));

  for (const [pathName, pool] of Object.entries(paths)) {
    for (const [name, c] of Object.entries(cases)) {
      const label = `${pathName} ${name} (aligned ${c.aligned}, samplingRatio ${c.sampling}, ${c.out.join('x')})`;
      it(`${label}: output`, () => {
        const out = pool(features, boxes, batchIndices, optionsOf(c));
        const expected = fixtureData(entries, `${name}/output`);
        expectTensorsClose(out, expected, { atol: 1e-5, rtol: 1e-5 });
        figures.push(
          `${backend} ${pathName} ${name} output max|d| ${maxAbsDiff(out, expected).toExponential(1)} rel ${relativeError(out, expected).toExponential(1)}`,
        );
        out.dispose();
      });
      it(`${label}: gradient vs torch autograd`, () => {
        const weights = lossWeights(name, [boxes.shape[0], ...c.out, features.shape[3]]);
        const [grad] = weightedGradients(
          (x) => pool(x as tf.Tensor4D, boxes, batchIndices, optionsOf(c)),
          weights,
          [features],
        );
        const expected = fixtureData(entries, `${name}/grad`);
        expectTensorsClose(grad!, expected, { atol: 1e-5, rtol: 1e-5 });
        figures.push(
          `${backend} ${pathName} ${name} grad max|d| ${maxAbsDiff(grad!, expected).toExponential(1)} rel ${relativeError(grad!, expected).toExponential(1)} (max|g| ${Math.max(...Array.from(expected, Math.abs)).toFixed(1)})`,
        );
        tf.dispose([weights, grad!]);
      });
    }
    for (const name of ['align_a', 'align_d']) {
      it(`${pathName} ${name} max pooling matches the float32 loop of the generator`, () => {
        const out = pool(features, boxes, batchIndices, { ...optionsOf(cases[name]!), poolingMode: 'max' });
        expectTensorsClose(out, fixtureData(entries, `${name}/maxOutput`), { atol: 1e-5, rtol: 1e-5 });
        out.dispose();
      });
    }
  }

  it('empty box list: [0, outH, outW, C] and a zero gradient', () => {
    const none = tf.zeros([0, 4]) as tf.Tensor2D;
    const noIndex = tf.zeros([0], 'int32') as tf.Tensor1D;
    for (const pool of Object.values(paths)) {
      const out = pool(features, none, noIndex, { outputSize: 7, samplingRatio: 2 });
      expect(out.shape).toEqual([0, 7, 7, 4]);
      const [grad] = tf.grads((x) => tf.sum(pool(x as tf.Tensor4D, none, noIndex, { outputSize: 7 })))([
        features,
      ]);
      expect(tf.max(tf.abs(grad!)).dataSync()[0]).toBe(0);
      tf.dispose([out, grad!]);
    }
    tf.dispose([none, noIndex]);
  });

  it('a box whose batch index is out of range pools zeros', () => {
    const out = tf.tidy(() =>
      roiAlign(features, tf.tensor2d([[1, 1, 20, 20]]), tf.tensor1d([5], 'int32'), {
        outputSize: 2,
        samplingRatio: 2,
      }),
    );
    expect(Array.from(out.dataSync()).every((v) => v === 0)).toBe(true);
    out.dispose();
  });

  it('rejects bad input with RcnnError', () => {
    const threeD = tf.zeros([2, 3, 4]);
    const floatIndices = tf.zeros([50]);
    const bad: [string, () => unknown][] = [
      ['rank-3 features', () => roiAlign(threeD as tf.Tensor4D, boxes, batchIndices, { outputSize: 7 })],
      [
        '[R, 5] boxes',
        () => roiAlign(features, tf.zeros([50, 5]) as tf.Tensor2D, batchIndices, { outputSize: 7 }),
      ],
      [
        'float batch indices',
        () => roiAlign(features, boxes, floatIndices as tf.Tensor1D, { outputSize: 7 }),
      ],
      ['zero output size', () => roiAlign(features, boxes, batchIndices, { outputSize: [0, 7] })],
      ['negative scale', () => roiAlign(features, boxes, batchIndices, { outputSize: 7, spatialScale: -1 })],
      [
        'fractional ratio',
        () => roiAlign(features, boxes, batchIndices, { outputSize: 7, samplingRatio: 1.5 }),
      ],
    ];
    for (const [what, call] of bad) expect(call, what).toThrow(RcnnError);
    tf.dispose([threeD, floatIndices]);
  });

  it('leaks no tensors (forward and backward, kernel and reference)', async () => {
    const few = tf.slice(boxes, 10, 8) as tf.Tensor2D;
    const fewIndices = tf.slice(batchIndices, 10, 8) as tf.Tensor1D;
    for (const pool of Object.values(paths)) {
      await expectNoLeaks(() => {
        pool(features, few, fewIndices, { outputSize: 7, samplingRatio: 2 }).dispose();
        tf.grads((x) =>
          tf.sum(pool(x as tf.Tensor4D, few, fewIndices, { outputSize: 3, samplingRatio: -1 })),
        )([features])[0]!.dispose();
      });
    }
    tf.dispose([few, fewIndices]);
  });
});

describe('parity figures', () => {
  it('prints the worst |diff| per backend, path and case', () => {
    console.log(figures.join('\n'));
    expect(figures.length).toBeGreaterThan(0);
  });
});
