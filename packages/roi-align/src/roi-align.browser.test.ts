// WebGPU kernels (WGSL) against the same torchvision fixtures as the Node tests, in headless
// Chromium (SwiftShader WebGPU here; a real GPU in a browser). Fixtures are fetched by URL.
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { asBoxes, deterministicTensor, readSafetensors, type StateDict } from '@rcnn/core';
import { expectNoLeaks, expectTensorsClose, fetchFixtureBytes, maxAbsDiff } from '@rcnn/test-utils/browser';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import multiScaleUrl from './__fixtures__/multi-scale-roi-align.safetensors?url';
import singleUrl from './__fixtures__/roi-align.safetensors?url';
import { MultiScaleRoiAlign, RoiAlign, roiAlign, roiAlignReference, roiPool } from './index';

let single: { tensors: StateDict; metadata: Record<string, string> };
let multi: StateDict;
const tensor = (entries: StateDict, key: string) => {
  const entry = entries.get(key)!;
  return tf.tensor(
    entry.data as Float32Array | Int32Array,
    [...entry.shape],
    entry.dtype === 'int32' ? 'int32' : 'float32',
  );
};
const data = (entries: StateDict, key: string) => entries.get(key)!.data as Float32Array;
const weights = (key: string, shape: number[]) =>
  tf.tensor(deterministicTensor(`roi_align/${key}/weights`, shape), shape);

beforeAll(async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  expect(tf.getKernel(RoiAlign, 'webgpu')).toBeDefined();
  single = readSafetensors(await fetchFixtureBytes(singleUrl));
  multi = readSafetensors(await fetchFixtureBytes(multiScaleUrl)).tensors;
});

it('webgpu roiAlign matches torchvision (outputs and gradients, every case) and the max-pooling loop', async () => {
  const entries = single.tensors;
  const cases = JSON.parse(single.metadata.cases!) as Record<
    string,
    { out: [number, number]; scale: number; sampling: number; aligned: boolean }
  >;
  const [features, boxes, batchIndices] = ['features', 'boxes', 'batchIndices'].map((k) =>
    tensor(entries, k),
  ) as [tf.Tensor4D, tf.Tensor2D, tf.Tensor1D];
  const figures: string[] = [];
  for (const [name, c] of Object.entries(cases)) {
    const options = {
      outputSize: c.out,
      spatialScale: c.scale,
      samplingRatio: c.sampling,
      aligned: c.aligned,
    };
    const out = roiAlign(features, boxes, batchIndices, options);
    await out.data();
    expectTensorsClose(out, data(entries, `${name}/output`), { atol: 1e-5, rtol: 1e-5 });
    const w = weights(name, out.shape);
    const grad = tf.grad((x) => tf.sum(tf.mul(roiAlign(x as tf.Tensor4D, boxes, batchIndices, options), w)))(
      features,
    );
    await grad.data();
    expectTensorsClose(grad, data(entries, `${name}/grad`), { atol: 1e-5, rtol: 1e-5 });
    figures.push(
      `${name} output ${maxAbsDiff(out, data(entries, `${name}/output`)).toExponential(1)} grad ${maxAbsDiff(grad, data(entries, `${name}/grad`)).toExponential(1)}`,
    );
    if (entries.has(`${name}/maxOutput`)) {
      const maxed = roiAlign(features, boxes, batchIndices, { ...options, poolingMode: 'max' });
      await maxed.data();
      expectTensorsClose(maxed, data(entries, `${name}/maxOutput`), { atol: 1e-5, rtol: 1e-5 });
      maxed.dispose();
    }
    tf.dispose([out, w, grad]);
  }
  console.log(`webgpu roiAlign max |diff|: ${figures.join('; ')}`);
  // Max-mode gradient (no torchvision op): the WGSL scatter against the composed reference's
  // autograd, on boxes inside the map (clamped border points tie, and the two split ties differently).
  const inside = tf.tensor2d([
    [4, 4, 40, 30],
    [10.5, 6.2, 60, 44],
    [20, 10, 30, 20],
  ]);
  const insideBatch = tf.tensor1d([0, 1, 0], 'int32');
  const maxOptions = { outputSize: 7, spatialScale: 0.5, samplingRatio: 2, poolingMode: 'max' } as const;
  const maxGrad = (pool: typeof roiAlign) =>
    tf.grad((x) => tf.sum(tf.square(pool(x as tf.Tensor4D, inside, insideBatch, maxOptions))))(features);
  const [kernelMaxGrad, referenceMaxGrad] = [maxGrad(roiAlign), maxGrad(roiAlignReference)];
  await kernelMaxGrad.data();
  expectTensorsClose(kernelMaxGrad, await referenceMaxGrad.data(), { atol: 1e-5, rtol: 1e-5 });
  const largest = tf.max(tf.abs(kernelMaxGrad));
  expect((await largest.data())[0]).toBeGreaterThan(0.1);
  largest.dispose();
  tf.dispose([kernelMaxGrad, referenceMaxGrad, inside, insideBatch]);
  // RoIPool has no WGSL kernel: the composed reference runs on webgpu.
  const pooled = roiPool(features, boxes, batchIndices, { outputSize: 7, spatialScale: 0.5 });
  await pooled.data();
  expectTensorsClose(pooled, data(entries, 'pool_a/output'), { atol: 0, rtol: 0 });
  tf.dispose([pooled, features, boxes, batchIndices]);
});

it('webgpu MultiScaleRoiAlign matches torchvision, forward and per-level gradients', async () => {
  const names = ['p2', 'p3', 'p4', 'p5'] as const;
  const levels = names.map((name) => tensor(multi, name) as tf.Tensor4D);
  const boxes = [0, 1].map((i) => asBoxes(tensor(multi, `boxes${i}`)));
  const pooler = new MultiScaleRoiAlign();
  const pyramid = (tensors: tf.Tensor[]) =>
    names.map((name, k) => ({ name, stride: 4 << k, tensor: tensors[k] as tf.Tensor4D }));
  const out = pooler.pool(pyramid(levels), boxes);
  await out.data();
  expectTensorsClose(out, data(multi, 'output'), { atol: 1e-5, rtol: 1e-5 });
  const w = weights('multi_scale', out.shape);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(pooler.pool(pyramid(xs), boxes), w)))(levels);
  for (const [k, name] of names.entries()) {
    await grads[k]!.data();
    expectTensorsClose(grads[k]!, data(multi, `grad/${name}`), { atol: 1e-5, rtol: 1e-5 });
  }
  const empty = pooler.pool(pyramid(levels), [asBoxes(tf.zeros([0, 4])), asBoxes(tf.zeros([0, 4]))]);
  expect(empty.shape).toEqual([0, 7, 7, 4]);
  await expectNoLeaks(async () => {
    const pooled = pooler.pool(pyramid(levels), boxes);
    await pooled.data();
    pooled.dispose();
  });
  tf.dispose([out, w, ...grads, empty, ...levels, ...boxes]);
});
