import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectNoLeaks, maxAbsDiff, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels } from '../../register-training-kernels';

/** d/dx sum(maxPool(x) * w) with fixed random x and w. */
function poolGradient(filter: number, stride: number, pad: 'same' | 'valid' | 0): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.randomNormal([2, 7, 9, 5], 0, 1, 'float32', 11) as tf.Tensor4D;
    const y = tf.maxPool(x, filter, stride, pad);
    const w = tf.randomNormal(y.shape, 0, 1, 'float32', 12);
    return tf.grad((input) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, filter, stride, pad), w)))(x);
  });
}

const CASES: [number, number, 'same' | 'valid' | 0][] = [
  [1, 2, 0], // FPN P6 (torchvision LastLevelMaxPool): tfjs-wasm's own kernel drops values here
  [3, 2, 'same'],
  [2, 2, 'valid'],
  [3, 1, 'same'],
];

describe('MaxPoolGrad on wasm equals the cpu backend', () => {
  beforeAll(() => {
    registerTrainingKernels({ backends: ['wasm'] });
  });

  for (const [filter, stride, pad] of CASES) {
    it(`window ${filter}, stride ${stride}, pad ${pad}`, async () => {
      await useBackend('cpu');
      const expected = poolGradient(filter, stride, pad);
      const reference = (await expected.data()) as Float32Array;
      expected.dispose();
      await useBackend('wasm');
      const actual = poolGradient(filter, stride, pad);
      // Overlapping windows add in another order than the cpu kernel: float32 rounding only.
      expect(maxAbsDiff(actual, reference)).toBeLessThan(1e-6);
      actual.dispose();
    });
  }

  it('leaks nothing', async () => {
    await useBackend('wasm');
    await expectNoLeaks(() => poolGradient(3, 2, 'same').dispose());
  });
});
