import { describeEachBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

describeEachBackend('backends load in Node', (backend) => {
  it('runs a convolution', () => {
    expect(tf.getBackend()).toBe(backend);
    const y = tf.tidy(() =>
      tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'same'),
    );
    expect(Array.from(y.dataSync()).slice(0, 2)).toEqual([8, 12]);
    y.dispose();
  });
});
