import { describeEachBackend, expectTensorsClose, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, it } from 'vitest';
import { fixtureData, fixtureTensor, loadFixture } from './__fixtures__/fixture-tensors';
import { roiAlign, roiAlignReference } from './index';

const { entries } = loadFixture('roi-align-1000.safetensors');
const options = { outputSize: 4, spatialScale: 0.25, samplingRatio: 2 };

describeEachBackend('a thousand boxes over two images', (backend) => {
  let features: tf.Tensor4D;
  let boxes: tf.Tensor2D;
  let batchIndices: tf.Tensor1D;
  beforeAll(() => {
    features = fixtureTensor(entries, 'features') as tf.Tensor4D;
    boxes = fixtureTensor(entries, 'boxes') as tf.Tensor2D;
    batchIndices = fixtureTensor(entries, 'batchIndices') as tf.Tensor1D;
  });
  afterAll(() => tf.dispose([features, boxes, batchIndices]));

  it('kernel matches torchvision, and the composed reference agrees with the kernel (forward and backward)', () => {
    const kernel = roiAlign(features, boxes, batchIndices, options);
    const reference = roiAlignReference(features, boxes, batchIndices, options);
    expectTensorsClose(kernel, fixtureData(entries, 'output'), { atol: 1e-5, rtol: 1e-5 });
    expectTensorsClose(reference, kernel, { atol: 1e-5, rtol: 1e-5 });
    const grad = (pool: typeof roiAlign) =>
      tf.grad((x) => tf.sum(tf.square(pool(x as tf.Tensor4D, boxes, batchIndices, options))))(features);
    const [kernelGrad, referenceGrad] = [grad(roiAlign), grad(roiAlignReference)];
    expectTensorsClose(referenceGrad, kernelGrad, { atol: 1e-4, rtol: 1e-4 });
    console.log(
      `${backend} 1000 boxes: kernel vs torchvision ${maxAbsDiff(kernel, fixtureData(entries, 'output')).toExponential(1)}, ` +
        `reference vs kernel ${maxAbsDiff(reference, kernel).toExponential(1)}, gradients ${maxAbsDiff(referenceGrad, kernelGrad).toExponential(1)}`,
    );
    tf.dispose([kernel, reference, kernelGrad, referenceGrad]);
  });
});
