import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectNoLeaks, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availability, randomValues, skipReason } from '../test/compare-backends';
import { nativeKernelStats } from './kernel-stats';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

describe.skipIf(!availability.available)(`native kernels: memory${skipReason}`, () => {
  beforeAll(async () => {
    registerNativeKernels({ threads: 1 });
    await useBackend('wasm');
  });
  afterAll(() => unregisterNativeKernels());

  it('leaves no tensors or wasm bytes behind: forward, gradients, elementwise, fallbacks', async () => {
    const x = tf.tensor4d(randomValues([2, 9, 9, 8], 1), [2, 9, 9, 8]);
    const filter = tf.tensor4d(randomValues([3, 3, 8, 8], 2), [3, 3, 8, 8]);
    const bias = tf.tensor1d(randomValues([8], 3));
    const step = () => {
      const outputs = tf.tidy(() => {
        const y = tf.fused.conv2d({ x, filter, strides: 2, pad: 'same', bias, activation: 'relu' });
        const prelu = tf.fused.conv2d({
          x,
          filter,
          pad: 'same',
          strides: 1,
          activation: 'prelu',
          preluActivationWeights: tf.fill([8], 0.1),
        });
        const flat = tf.reshape(y, [2, -1]);
        const dense = tf.fused.matMul({ a: flat, b: flat, transposeB: true, activation: 'relu' });
        const grads = tf.grads((xs: tf.Tensor, fs: tf.Tensor) =>
          tf.sum(tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, 1, 'same')),
        )([x, filter]);
        // The memory-bound kernels: broadcasts, reductions, copies, gather, split, max pooling.
        const pooled = tf.grad((v: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(tf.tile(v as tf.Tensor4D, [1, 1, 2, 1]), 3, 2, 'same'), bias)),
        )(x);
        const moments = tf.moments(tf.reshape(x, [2, 9, 9, 4, 2]), [1, 2, 4], true);
        const parts = [
          ...tf.unstack(tf.transpose(y, [3, 0, 1, 2])),
          ...tf.split(y, [3, 5], 3),
          tf.gather(y, tf.tensor1d([0, 0, 1], 'int32'), 1),
          tf.slice(y, [0, 1, 1, 0], [1, 2, 2, -1]),
          tf.add(tf.tensor1d([1, 2], 'int32'), tf.scalar(1, 'int32')),
        ];
        return [y, prelu, dense, ...grads, pooled, moments.mean, moments.variance, ...parts];
      });
      tf.dispose(outputs);
    };
    step();
    const bytes = tf.memory().numBytes;
    await expectNoLeaks(step, 3);
    expect(tf.memory().numBytes).toBe(bytes);
    const stats = nativeKernelStats();
    expect(stats.FusedConv2D?.native).toBeGreaterThan(0);
    expect(stats.FusedConv2D?.fallback).toBeGreaterThan(0);
    expect(stats.Conv2DBackpropFilter?.native).toBeGreaterThan(0);
    for (const name of [
      'Tile',
      'MaxPoolGrad',
      'Mean',
      'Unpack',
      'SplitV',
      'GatherV2',
      'Slice',
      'Transpose',
    ]) {
      expect(stats[name]?.native, name).toBeGreaterThan(0);
    }
    expect(stats.Add?.fallback).toBeGreaterThan(0);
    tf.dispose([x, filter, bias]);
  });
});
