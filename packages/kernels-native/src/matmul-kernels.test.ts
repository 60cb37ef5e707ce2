import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { availability, expectWasmMatchesCpu, randomValues, skipReason } from '../test/compare-backends';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

const random = (shape: number[], seed: number) => tf.tensor(randomValues(shape, seed), shape);

describe.skipIf(!availability.available)(`oneDNN matmul kernels vs tfjs cpu${skipReason}`, () => {
  beforeAll(() => registerNativeKernels({ threads: 2 }));
  afterAll(() => unregisterNativeKernels());

  describe('BatchMatMul', () => {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`2-D, transposeA ${transposeA}, transposeB ${transposeB}`, () =>
          expectWasmMatchesCpu('BatchMatMul', () => {
            const a = random(transposeA ? [45, 17] : [17, 45], 1) as tf.Tensor2D;
            const b = random(transposeB ? [23, 45] : [45, 23], 2) as tf.Tensor2D;
            return tf.matMul(a, b, transposeA, transposeB);
          }));
      }
    }
    it('batch 3, both transposed', () =>
      expectWasmMatchesCpu('BatchMatMul', () =>
        tf.matMul(random([3, 20, 7], 3), random([3, 9, 20], 4), true, true),
      ));
    it('batch 4 (rank 4) times a shared right side (batch broadcast)', () =>
      expectWasmMatchesCpu('BatchMatMul', () => tf.matMul(random([2, 2, 6, 11], 5), random([1, 11, 5], 6))));
    it('a shared left side times batch 3', () =>
      expectWasmMatchesCpu('BatchMatMul', () => tf.matMul(random([6, 11], 7), random([3, 11, 5], 8))));
    it('fc6-like: [64, 1568] x [1568, 128]^T layout', () =>
      expectWasmMatchesCpu('BatchMatMul', () =>
        tf.matMul(random([64, 1568], 9), random([128, 1568], 10), false, true),
      ));
  });

  describe('_FusedMatMul', () => {
    const activations = [
      ['relu', 0],
      ['linear', 0],
      ['relu6', 0],
      ['leakyrelu', 0.3],
      ['sigmoid', 0],
      ['elu', 0],
    ] as const;
    for (const [activation, leakyreluAlpha] of activations) {
      it(`bias + ${activation}, transposeB (dense layer)`, () =>
        expectWasmMatchesCpu('_FusedMatMul', () => {
          const a = tf.mul(random([30, 40], 13), 4) as tf.Tensor2D;
          const b = random([16, 40], 14) as tf.Tensor2D;
          return tf.fused.matMul({
            a,
            b,
            transposeB: true,
            bias: random([16], 15),
            activation,
            leakyreluAlpha,
          });
        }));
    }
    it('bias without activation, transposeA, batch 2', () =>
      expectWasmMatchesCpu('_FusedMatMul', () =>
        tf.fused.matMul({
          a: random([2, 12, 7], 16),
          b: random([2, 12, 9], 17),
          transposeA: true,
          bias: random([9], 18),
        }),
      ));
    it('prelu falls back to the wasm kernel', () =>
      expectWasmMatchesCpu(
        '_FusedMatMul',
        () =>
          tf.fused.matMul({
            a: random([5, 6], 19),
            b: random([6, 4], 20),
            bias: random([4], 21),
            activation: 'prelu',
            preluActivationWeights: tf.fill([4], 0.2),
          }),
        { expectFallback: true },
      ));
    it('gradients of a dense layer (BatchMatMul with transposes in the backward pass)', () =>
      expectWasmMatchesCpu('BatchMatMul', () => {
        const x = random([8, 24], 22);
        const weights = random([24, 10], 23);
        const bias = random([10], 24);
        const loss = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
          tf.sum(
            tf.square(
              tf.fused.matMul({ a: xs as tf.Tensor2D, b: ws as tf.Tensor2D, bias: bs, activation: 'relu' }),
            ),
          );
        return tf.grads(loss)([x, weights, bias]);
      }));
  });
});
