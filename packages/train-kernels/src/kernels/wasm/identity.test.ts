import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels } from '../../register-training-kernels';

describe('Identity on wasm shares the heap data instead of copying it', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    registerTrainingKernels({ backends: ['wasm'] });
  });

  it('a clone takes no new data buffer, outlives its source and frees the data with the last reference', async () => {
    const buffers = tf.memory().numDataBuffers;
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(tf.memory().numDataBuffers).toBe(buffers + 1);
    x.dispose();
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers);
  });

  it('int32, bool and string tensors clone to equal values', async () => {
    for (const x of [
      tf.tensor1d([7, -8], 'int32'),
      tf.tensor1d([true, false], 'bool'),
      tf.tensor1d(['a', 'bc']),
    ]) {
      const y = tf.clone(x);
      expect(y.dtype).toBe(x.dtype);
      expect(await y.array()).toEqual(await x.array());
      tf.dispose([x, y]);
    }
  });

  it('gradients that keep tensors for the backward pass are unchanged, and nothing leaks', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([0.5, -1, 2]);
    const dx = tf.grad((v) => tf.sum(tf.mul(tf.exp(v), v)))(x);
    // d/dv (v e^v) = e^v (1 + v)
    const expected = [0.5, -1, 2].map((v) => Math.exp(v) * (1 + v));
    for (const [i, value] of Array.from(dx.dataSync()).entries()) expect(value).toBeCloseTo(expected[i]!, 5);
    tf.dispose([x, dx]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
