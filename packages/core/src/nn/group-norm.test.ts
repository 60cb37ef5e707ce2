import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describeEachBackend, expectNoLeaks, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { deterministicTensor } from '../weights/deterministic-weights';
import { GroupNorm } from './group-norm';

/** The plain formula, differentiated by tfjs: what GroupNorm's written-out gradient must equal. */
function plainGroupNorm(x: tf.Tensor4D, groups: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const [b, h, w, c] = x.shape;
  const grouped = tf.reshape(x, [b, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
  let y = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5))), x.shape);
  if (weight) y = tf.mul(y, weight);
  if (bias) y = tf.add(y, bias);
  return y;
}

const SHAPE: [number, number, number, number] = [2, 5, 7, 12];

function inputs(constantChannels: boolean) {
  return tf.tidy(() => {
    let x = tf.tensor4d(deterministicTensor('group_norm.x', SHAPE), SHAPE);
    // Channels 0-2 (group 0 of 4) constant: zero variance, where rsqrt(eps) dominates.
    if (constantChannels) {
      const [b, h, w] = SHAPE;
      x = tf.concat([tf.fill([b, h, w, 3], 0.25), tf.slice(x, [0, 0, 0, 3], [b, h, w, 9])], 3);
    }
    const cotangent = tf.tensor4d(deterministicTensor('group_norm.cotangent', SHAPE), SHAPE);
    return { x: x as tf.Tensor4D, cotangent };
  });
}

describeEachBackend('GroupNorm: written-out gradient vs tfjs autodiff of the formula', () => {
  for (const affine of [true, false]) {
    for (const constantChannels of [false, true]) {
      it(`affine ${affine}, ${constantChannels ? 'a constant group' : 'random input'}`, async () => {
        const layer = new GroupNorm(4, 12, { affine });
        const { x, cotangent } = inputs(constantChannels);
        const weight = tf.tensor1d(deterministicTensor('group_norm.weight', [12]));
        const bias = tf.tensor1d(deterministicTensor('group_norm.bias', [12]));
        if (affine) {
          layer.weight!.variable.assign(weight);
          layer.bias!.variable.assign(bias);
        }
        const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, cotangent));
        const input = tf.variable(x, true);
        const variables = [input, ...layer.trainableVariables().map(([, variable]) => variable)];
        const ours = tf.variableGrads(() => loss(layer.forward(input)) as tf.Scalar, variables);
        const reference = affine
          ? tf.grads((a, w, b) => loss(plainGroupNorm(a as tf.Tensor4D, 4, w, b)))([x, weight, bias])
          : tf.grads((a) => loss(plainGroupNorm(a as tf.Tensor4D, 4)))([x]);
        const y = layer.forward(x);
        const plain = plainGroupNorm(x, 4, affine ? weight : undefined, affine ? bias : undefined);
        expect(relativeError(y, plain)).toBeLessThan(1e-6);
        variables.forEach((variable, i) => {
          expect(relativeError(ours.grads[variable.name]!, reference[i]!), variable.name).toBeLessThan(1e-5);
        });
        tf.dispose([y, plain, input, ours.value, ...Object.values(ours.grads), ...reference]);
        await expectNoLeaks(() => {
          const grads = tf.grads((input) => loss(layer.forward(input as tf.Tensor4D)))([x]);
          tf.dispose(grads);
        });
        tf.dispose([x, cotangent, weight, bias]);
        layer.dispose();
      });
    }
  }
});
