import { describeEachBackend, expectNoLeaks, expectTensorsClose } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureData, fixtureTensor, loadFixture } from './__fixtures__/fixture-tensors';
import { roiAlign, roiPool, roiWarp } from './index';

const { entries } = loadFixture('roi-align.safetensors');

describeEachBackend('roiWarp (quantized crop, bilinear warp, max pool)', () => {
  let features: tf.Tensor4D;
  let boxes: tf.Tensor2D;
  let batchIndices: tf.Tensor1D;
  beforeAll(() => {
    features = fixtureTensor(entries, 'features') as tf.Tensor4D;
    boxes = fixtureTensor(entries, 'boxes') as tf.Tensor2D;
    batchIndices = fixtureTensor(entries, 'batchIndices') as tf.Tensor1D;
  });
  afterAll(() => tf.dispose([features, boxes, batchIndices]));

  for (const [name, poolSize] of [
    ['warp_a', 2],
    ['warp_b', 1],
  ] as const) {
    it(`${name} (poolSize ${poolSize}) matches the torch composition (roi_align on quantized boxes, max_pool2d)`, () => {
      const out = roiWarp(features, boxes, batchIndices, { outputSize: 7, spatialScale: 0.5, poolSize });
      expectTensorsClose(out, fixtureData(entries, `${name}/output`), { atol: 1e-5, rtol: 1e-5 });
      out.dispose();
    });
  }

  it('RoIPool, RoIWarp and RoIAlign differ on the same boxes (the comparison the three exist for)', () => {
    const options = { outputSize: 7, spatialScale: 0.5 };
    const [pool, warp, align] = [
      roiPool(features, boxes, batchIndices, options),
      roiWarp(features, boxes, batchIndices, options),
      roiAlign(features, boxes, batchIndices, { ...options, samplingRatio: 2 }),
    ];
    const differ = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
    expect(differ(pool, warp)).toBeGreaterThan(0.01);
    expect(differ(warp, align)).toBeGreaterThan(0.01);
    tf.dispose([pool, warp, align]);
  });

  it('is differentiable and leaks no tensors', async () => {
    await expectNoLeaks(() => {
      const [grad] = tf.grads((x) =>
        tf.sum(roiWarp(x as tf.Tensor4D, boxes, batchIndices, { outputSize: 3 })),
      )([features]);
      expect(grad!.shape).toEqual(features.shape);
      grad!.dispose();
    });
  });
});
