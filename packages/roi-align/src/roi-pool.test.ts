import { RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, expectTensorsClose, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  fixtureData,
  fixtureTensor,
  loadFixture,
  lossWeights,
  weightedGradients,
} from './__fixtures__/fixture-tensors';
import { roiPool, roiPoolReference } from './index';

const { entries } = loadFixture('roi-align.safetensors');
const cases = {
  pool_a: { outputSize: [7, 7], spatialScale: 0.5 },
  pool_b: { outputSize: [3, 5], spatialScale: 0.25 },
} as const;
const paths = { kernel: roiPool, reference: roiPoolReference } as const;

describeEachBackend('roiPool parity with torchvision.ops.roi_pool', (backend) => {
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
    for (const [name, options] of Object.entries(cases)) {
      it(`${pathName} ${name}: output and gradient (a max picks a value: exact)`, () => {
        const out = pool(features, boxes, batchIndices, options);
        expectTensorsClose(out, fixtureData(entries, `${name}/output`), { atol: 0, rtol: 0 });
        const weights = lossWeights(name, out.shape);
        const [grad] = weightedGradients(
          (x) => pool(x as tf.Tensor4D, boxes, batchIndices, options),
          weights,
          [features],
        );
        const expected = fixtureData(entries, `${name}/grad`);
        expectTensorsClose(grad!, expected, { atol: 1e-6, rtol: 1e-6 });
        console.log(
          `${backend} ${pathName} ${name} grad max |diff| ${maxAbsDiff(grad!, expected).toExponential(1)}`,
        );
        tf.dispose([out, weights, grad!]);
      });
    }
  }

  it('empty box list gives [0, outH, outW, C]', () => {
    const none = tf.zeros([0, 4]) as tf.Tensor2D;
    const noIndex = tf.zeros([0], 'int32') as tf.Tensor1D;
    for (const pool of Object.values(paths)) {
      const out = pool(features, none, noIndex, { outputSize: 7 });
      expect(out.shape).toEqual([0, 7, 7, 4]);
      out.dispose();
    }
    tf.dispose([none, noIndex]);
  });

  it('rejects bad input with RcnnError', () => {
    expect(() => roiPool(features, boxes, batchIndices, { outputSize: -1 })).toThrow(RcnnError);
    expect(() => roiPool(features, boxes, batchIndices, { outputSize: 7, spatialScale: 0 })).toThrow(
      RcnnError,
    );
  });

  it('leaks no tensors (forward and backward, kernel and reference)', async () => {
    const few = tf.slice(boxes, 0, 6) as tf.Tensor2D;
    const fewIndices = tf.slice(batchIndices, 0, 6) as tf.Tensor1D;
    for (const pool of Object.values(paths)) {
      await expectNoLeaks(() => {
        pool(features, few, fewIndices, cases.pool_a).dispose();
        tf.grads((x) => tf.sum(pool(x as tf.Tensor4D, few, fewIndices, cases.pool_b)))([
          features,
        ])[0]!.dispose();
      });
    }
    tf.dispose([few, fewIndices]);
  });
});
