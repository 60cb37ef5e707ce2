import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describeEachBackend, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { explicitPad, trainFixture } from '../test/train-fixture';
import { registerTrainingKernels } from './register-training-kernels';

const TOLERANCE = 1e-5;

/** Gradients of sum(f(...inputs) * dy) with respect to every input, as arrays (tensors disposed). */
async function gradientsOf(f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], dy: tf.Tensor) {
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), dy)))(inputs);
  const arrays = await Promise.all(grads.map((g) => g.data()));
  tf.dispose([...grads, ...inputs, dy]);
  return arrays;
}

// Every gradient the training kernels serve (Conv2DBackpropFilter / Input, BatchMatMul with
// transposes, UnsortedSegmentSum) against torch autograd; cpu runs tfjs's own kernels for comparison.
describeEachBackend('gradients vs torch', (backend) => {
  const fixture = trainFixture();
  beforeAll(() => {
    if (backend === 'wasm') registerTrainingKernels();
  });

  for (const { name, stride, padding } of fixture.cases.convs) {
    it(`conv2d ${name}: dx and dfilter`, async () => {
      const [dx, dfilter] = await gradientsOf(
        (x, filter) => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, stride, explicitPad(padding)),
        [fixture.load(`${name}/x`), fixture.load(`${name}/filter`)],
        fixture.load(`${name}/dy`),
      );
      expect(relativeError(dx!, fixture.tensor(`${name}/dx`).data)).toBeLessThan(TOLERANCE);
      expect(relativeError(dfilter!, fixture.tensor(`${name}/dfilter`).data)).toBeLessThan(TOLERANCE);
    });
  }

  for (const { name, stride, padding, outShape } of fixture.cases.transposed) {
    it(`conv2dTranspose ${name}: dx and dfilter`, async () => {
      const pad = padding === 0 ? 'valid' : explicitPad(padding);
      const [dx, dfilter] = await gradientsOf(
        (x, filter) =>
          tf.conv2dTranspose(
            x as tf.Tensor4D,
            filter as tf.Tensor4D,
            outShape as [number, number, number, number],
            stride,
            pad as 'valid',
          ),
        [fixture.load(`${name}/x`), fixture.load(`${name}/filter`)],
        fixture.load(`${name}/dy`),
      );
      expect(relativeError(dx!, fixture.tensor(`${name}/dx`).data)).toBeLessThan(TOLERANCE);
      expect(relativeError(dfilter!, fixture.tensor(`${name}/dfilter`).data)).toBeLessThan(TOLERANCE);
    });
  }

  for (const { name } of fixture.cases.linear) {
    it(`linear ${name} (x W^T, torch weight layout): dx and dweight`, async () => {
      const [dx, dweight] = await gradientsOf(
        (x, weight) => tf.matMul(x as tf.Tensor2D, weight as tf.Tensor2D, false, true),
        [fixture.load(`${name}/x`), fixture.load(`${name}/weight`)],
        fixture.load(`${name}/dy`),
      );
      expect(relativeError(dx!, fixture.tensor(`${name}/dx`).data)).toBeLessThan(TOLERANCE);
      expect(relativeError(dweight!, fixture.tensor(`${name}/dweight`).data)).toBeLessThan(TOLERANCE);
    });
  }

  it('gather with repeated and unused indices: dtable', async () => {
    const indices = fixture.load('gather/indices');
    const [dtable] = await gradientsOf(
      (table) => tf.gather(table!, indices),
      [fixture.load('gather/table')],
      fixture.load('gather/dy'),
    );
    indices.dispose();
    expect(relativeError(dtable!, fixture.tensor('gather/dtable').data)).toBeLessThan(TOLERANCE);
  });
});
