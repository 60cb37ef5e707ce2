import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerTrainingKernels, unregisterTrainingKernels } from '@rcnn/train-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { availability, expectWasmMatchesCpu, randomValues, skipReason } from '../test/compare-backends';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

const random = (shape: number[], seed: number) => tf.tensor(randomValues(shape, seed), shape);
const exact = { tolerance: 1e-7 };

describe.skipIf(!availability.available)(
  `native gather, split and max-pool gradient vs tfjs cpu${skipReason}`,
  () => {
    beforeAll(() => {
      // As rcnn train does: the training kernels (a correct wasm MaxPoolGrad) first, then native.
      registerTrainingKernels({ backends: ['wasm'] });
      registerNativeKernels({ threads: 1 });
    });
    afterAll(() => {
      unregisterNativeKernels();
      unregisterTrainingKernels();
    });

    it('GatherV2: rows of an image, columns with 3 channels, 2-D indices, int32 values', () =>
      expectWasmMatchesCpu(
        'GatherV2',
        () => [
          tf.gather(random([9, 11, 3], 1), tf.tensor1d([0, 2, 2, 8, 5], 'int32'), 0),
          tf.gather(random([9, 11, 3], 2), tf.tensor1d([10, 0, 3], 'int32'), 1),
          tf.gather(random([4, 7], 3), tf.tensor2d([1, 3, 0, 0], [2, 2], 'int32'), 0),
          tf.gather(tf.tensor1d([5, 6, 7], 'int32'), tf.tensor1d([2, 1], 'int32')),
        ],
        exact,
      ));
    it('GatherV2 with batch dims falls back', () =>
      expectWasmMatchesCpu(
        'GatherV2',
        () => tf.gather(random([2, 5, 3], 4), tf.tensor2d([0, 4, 1, 1], [2, 2], 'int32'), 1, 1),
        { ...exact, expectFallback: true },
      ));
    it('SplitV: uneven sizes along the last and a middle axis', () =>
      expectWasmMatchesCpu(
        'SplitV',
        () => [...tf.split(random([6, 10], 5), [3, 7], 1), ...tf.split(random([2, 6, 5], 6), 3, 1)],
        exact,
      ));
    it('MaxPoolGrad: 3x3 stride 2 padded (the ResNet stem), 1x1 stride 2 (FPN P6), with ties', () =>
      expectWasmMatchesCpu(
        'MaxPoolGrad',
        () => {
          const x = random([2, 9, 10, 5], 7);
          const ties = tf.round(tf.mul(random([1, 6, 6, 2], 8), 2));
          const stem = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 3, 2, 1), 1.5)));
          const p6 = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.maxPool(v as tf.Tensor4D, 1, 2, 0))));
          const same = tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 1, 'same')));
          return [stem(x), p6(x), same(ties)];
        },
        exact,
      ));
  },
);
