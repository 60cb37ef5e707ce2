import { asBoxes, type Boxes, type FeatureMaps, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, expectTensorsClose, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureData, fixtureTensor, loadFixture, lossWeights } from './__fixtures__/fixture-tensors';
import {
  assignFpnLevels,
  MultiScaleRoiAlign,
  RoiAlign,
  registerRoiAlignKernels,
  roiAlignMultiLevel,
  torchvisionScale,
} from './index';

const { entries, metadata } = loadFixture('multi-scale-roi-align.safetensors');
const names = ['p2', 'p3', 'p4', 'p5'] as const;

describeEachBackend('MultiScaleRoiAlign parity with torchvision.ops.MultiScaleRoIAlign', (backend) => {
  let features: FeatureMaps;
  let boxes: Boxes[];
  const pooler = new MultiScaleRoiAlign({ featureNames: [...names], outputSize: [7, 7], samplingRatio: 2 });
  beforeAll(() => {
    features = names.map((name, k) => ({
      name,
      stride: 4 << k,
      tensor: fixtureTensor(entries, name) as tf.Tensor4D,
    }));
    boxes = [0, 1].map((i) => asBoxes(fixtureTensor(entries, `boxes${i}`)));
  });
  afterAll(() => tf.dispose([...features.map((f) => f.tensor), ...boxes]));

  it('implements the RoiPooler v1 contract with torchvision defaults', () => {
    expect(pooler.specificationVersion).toBe('v1');
    expect(pooler.outputSize).toEqual([7, 7]);
    const defaults = new MultiScaleRoiAlign();
    expect([
      defaults.samplingRatio,
      defaults.aligned,
      defaults.canonicalScale,
      defaults.canonicalLevel,
    ]).toEqual([2, false, 224, 4]);
  });

  it('declared strides agree with torchvision scale inference on the fixture pyramid', () => {
    const [imageHeight, imageWidth] = (JSON.parse(metadata.imageSizes!) as [number, number][]).reduce(
      ([h, w], [a, b]) => [Math.max(h, a), Math.max(w, b)],
      [0, 0],
    );
    const inferred = features.map((f) =>
      torchvisionScale([f.tensor.shape[1], f.tensor.shape[2]], [imageHeight, imageWidth]),
    );
    expect(inferred).toEqual(JSON.parse(metadata.scales!));
    expect(inferred).toEqual(features.map((f) => 1 / f.stride));
  });

  it('assigns boxes to levels as torchvision LevelMapper (NaN area: no level)', () => {
    const all = tf.concat(boxes) as tf.Tensor2D;
    const levels = assignFpnLevels(all, { minLevel: 2, maxLevel: 5 });
    expect(Array.from(levels.dataSync())).toEqual(Array.from(fixtureData(entries, 'levels')));
    tf.dispose([all, levels]);
  });

  it('pooled features and per-level gradients match torch autograd', () => {
    const out = pooler.pool(features, boxes);
    const expected = fixtureData(entries, 'output');
    expectTensorsClose(out, expected, { atol: 1e-5, rtol: 1e-5 });
    const weights = lossWeights('multi_scale', out.shape);
    const grads = tf.grads((...levels: tf.Tensor[]) => {
      const pyramid = names.map((name, k) => ({ name, stride: 4 << k, tensor: levels[k] as tf.Tensor4D }));
      return tf.sum(tf.mul(pooler.pool(pyramid, boxes), weights));
    })(features.map((f) => f.tensor));
    const gradFigures = names.map((name, k) => {
      expectTensorsClose(grads[k]!, fixtureData(entries, `grad/${name}`), { atol: 1e-5, rtol: 1e-5 });
      return `${name} ${maxAbsDiff(grads[k]!, fixtureData(entries, `grad/${name}`)).toExponential(1)}`;
    });
    console.log(
      `${backend} multi-scale output ${maxAbsDiff(out, expected).toExponential(1)}; grads ${gradFigures.join(', ')}`,
    );
    tf.dispose([out, weights, ...grads]);
  });

  it('the composed fallback (no kernel registered) gives the same result', () => {
    const kernel = tf.getKernel(RoiAlign, backend)!;
    tf.unregisterKernel(RoiAlign, backend);
    try {
      const out = pooler.pool(features, boxes);
      expectTensorsClose(out, fixtureData(entries, 'output'), { atol: 1e-5, rtol: 1e-5 });
      out.dispose();
    } finally {
      tf.registerKernel(kernel);
    }
    registerRoiAlignKernels();
    expect(tf.getKernel(RoiAlign, backend)).toBeDefined();
  });

  it('empty box lists give [0, 7, 7, C]', () => {
    const none = [asBoxes(tf.zeros([0, 4])), asBoxes(tf.zeros([0, 4]))];
    const out = pooler.pool(features, none);
    expect(out.shape).toEqual([0, 7, 7, 4]);
    tf.dispose([out, ...none]);
  });

  it('rejects a missing level, a non power-of-two pyramid and a batch mismatch with RcnnError', () => {
    expect(() => pooler.pool(features.slice(1), boxes)).toThrow(RcnnError);
    const gapped = features.map((f, k) => ({ ...f, stride: k === 3 ? 64 : f.stride }));
    expect(() => pooler.pool(gapped, boxes)).toThrow(/double in stride/);
    expect(() => pooler.pool(features, boxes.slice(1))).toThrow(RcnnError);
  });

  it('roiAlignMultiLevel checks its levels and leaks nothing; assignFpnLevels leaks nothing', async () => {
    const all = tf.concat(boxes) as tf.Tensor2D;
    const levels = tf.tensor1d(fixtureData(entries, 'levels'), 'int32');
    const images = tf.tensor1d(
      Array.from({ length: all.shape[0] }, (_, i) => (i < boxes[0]!.shape[0] ? 0 : 1)),
      'int32',
    );
    const tensors = features.map((f) => f.tensor);
    const options = { outputSize: 7, samplingRatio: 2 };
    expect(() => roiAlignMultiLevel(tensors, [0.25], all, images, levels, options)).toThrow(RcnnError);
    expect(() => roiAlignMultiLevel([], [], all, images, levels, options)).toThrow(RcnnError);
    const out = roiAlignMultiLevel(tensors, [0.25, 0.125, 0.0625, 0.03125], all, images, levels, options);
    expectTensorsClose(out, fixtureData(entries, 'output'), { atol: 1e-5, rtol: 1e-5 });
    await expectNoLeaks(() => {
      roiAlignMultiLevel(tensors, [0.25, 0.125, 0.0625, 0.03125], all, images, levels, options).dispose();
      assignFpnLevels(all, { minLevel: 2, maxLevel: 5 }).dispose();
    });
    tf.dispose([all, levels, images, out]);
  });

  it('leaks no tensors (forward and backward)', async () => {
    await expectNoLeaks(() => {
      pooler.pool(features, boxes).dispose();
      tf.grads((p2: tf.Tensor) =>
        tf.sum(pooler.pool([{ ...features[0]!, tensor: p2 as tf.Tensor4D }, ...features.slice(1)], boxes)),
      )([features[0]!.tensor])[0]!.dispose();
    });
  });
});
