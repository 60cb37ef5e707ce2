import '../register-gradients';
import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { registerTrainingKernels } from '../register-training-kernels';

describeEachBackend('gradients tfjs-core lacks', (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') registerTrainingKernels();
  });

  it('smooth L1 written with where(less(|x|, beta)) differentiates like torch', () => {
    // torch: d/dx smooth_l1(x, 0, beta=1) = x where |x| < 1, else sign(x)
    const x = tf.tensor1d([-2, -0.5, 0.25, 0.75, 3]);
    const grad = tf.grad((v: tf.Tensor) => {
      const absolute = tf.abs(v);
      return tf.sum(tf.where(tf.less(absolute, 1), tf.mul(0.5, tf.square(v)), tf.sub(absolute, 0.5)));
    })(x);
    expect(Array.from(grad.dataSync())).toEqual([-1, -0.5, 0.25, 0.75, 1]);
    tf.dispose([x, grad]);
  });

  it('comparison and logical kernels on the path give zero gradients', () => {
    const x = tf.tensor1d([-1, 0.5, 2]);
    const grad = tf.grad((v: tf.Tensor) => {
      const mask = tf.logicalNot(
        tf.logicalOr(tf.greater(v, 1), tf.logicalAnd(tf.equal(v, 0), tf.notEqual(v, 3))),
      );
      const soft = tf.logicalXor(tf.lessEqual(v, 0), mask);
      return tf.sum(tf.add(tf.mul(v, tf.cast(mask, 'float32')), tf.cast(soft, 'float32')));
    })(x);
    expect(Array.from(grad.dataSync())).toEqual([1, 1, 0]);
    tf.dispose([x, grad]);
  });

  it('GatherNd scatters the output gradient back, summing repeated indices', async () => {
    const params = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const indices = tf.tensor2d([2, 0, 2, 1, 0, 0], [3, 2], 'int32');
    const gradOf = (p: tf.Tensor) =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gatherND(v, indices), [10, 20, 30])))(p);
    const grad = gradOf(params);
    // picks params[2][0], params[2][1], params[0][0]
    expect(Array.from(grad.dataSync())).toEqual([30, 0, 0, 0, 10, 20]);
    await expectNoLeaks(() => gradOf(params).dispose());
    tf.dispose([params, indices, grad]);
  });
});
