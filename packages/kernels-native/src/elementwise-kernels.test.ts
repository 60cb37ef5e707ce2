import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { availability, expectWasmMatchesCpu, randomValues, skipReason } from '../test/compare-backends';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

const random = (shape: number[], seed: number) => tf.tensor(randomValues(shape, seed), shape);
/** Copies and IEEE binary ops match to the last bit (tolerance is a strict bound); sums to rounding. */
const exact = { tolerance: 1e-7 };
const close = { tolerance: 1e-6 };

describe.skipIf(!availability.available)(`native elementwise kernels vs tfjs cpu${skipReason}`, () => {
  beforeAll(() => registerNativeKernels({ threads: 1 }));
  afterAll(() => unregisterNativeKernels());

  describe('binary ops with broadcasting', () => {
    const ops = [
      ['Add', tf.add],
      ['Sub', tf.sub],
      ['Multiply', tf.mul],
      ['RealDiv', tf.div],
      ['Maximum', tf.maximum],
      ['Minimum', tf.minimum],
      ['SquaredDifference', tf.squaredDifference],
    ] as const;
    for (const [name, op] of ops) {
      it(`${name}: GroupNorm statistics [2, 5, 6, 4, 3] with [2, 1, 1, 4, 1]`, () =>
        expectWasmMatchesCpu(name, () => op(random([2, 5, 6, 4, 3], 1), random([2, 1, 1, 4, 1], 2)), exact));
    }
    it('Multiply: per-channel weight [7] against [2, 3, 4, 7], same shapes, a scalar', () =>
      expectWasmMatchesCpu(
        'Multiply',
        () => [
          tf.mul(random([2, 3, 4, 7], 3), random([7], 4)),
          tf.mul(random([5, 6], 5), random([5, 6], 6)),
          tf.mul(random([5, 6], 7), tf.scalar(3)),
        ],
        exact,
      ));
    it('Minimum: box IoU corners [N, 1, 2] with [1, M, 2] (both sides broadcast)', () =>
      expectWasmMatchesCpu('Minimum', () => tf.minimum(random([37, 1, 2], 8), random([1, 5, 2], 9)), exact));
    const comparisons = [
      ['Equal', tf.equal],
      ['NotEqual', tf.notEqual],
      ['Greater', tf.greater],
      ['GreaterEqual', tf.greaterEqual],
      ['Less', tf.less],
      ['LessEqual', tf.lessEqual],
    ] as const;
    for (const [name, op] of comparisons) {
      it(`${name}: IoU rows against their maxima [9, 40] with [9, 1], ties included (bool out)`, () =>
        expectWasmMatchesCpu(
          name,
          () => {
            const iou = tf.round(tf.mul(random([9, 40], 30), 3));
            return tf.cast(op(iou, tf.max(iou, 1, true)), 'float32');
          },
          exact,
        ));
    }
    it('int32 falls back to the wasm kernel', () =>
      expectWasmMatchesCpu('Add', () => tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')), {
        ...exact,
        expectFallback: true,
      }));
  });

  describe('reductions', () => {
    it('Sum over the GroupNorm axes [1, 2, 4] of [2, 9, 10, 4, 8], kept dims', () =>
      expectWasmMatchesCpu('Sum', () => tf.sum(random([2, 9, 10, 4, 8], 10), [1, 2, 4], true), close));
    it('Sum over leading axes (a bias gradient), the last axis, all axes', () =>
      expectWasmMatchesCpu(
        'Sum',
        () => [
          tf.sum(random([3, 11, 13, 16], 11), [0, 1, 2]),
          tf.sum(random([17, 19], 12), -1),
          tf.sum(random([4, 5, 6], 13)),
        ],
        close,
      ));
    it('Mean over [1, 2, 4] (tf.moments)', () =>
      expectWasmMatchesCpu('Mean', () => tf.mean(random([2, 9, 10, 4, 8], 14), [1, 2, 4], true), close));
  });

  describe('strided copies', () => {
    it('Tile: upsampling by repeating columns then rows, float32 and int32', () =>
      expectWasmMatchesCpu(
        'Tile',
        () => [
          tf.tile(random([6, 5, 1, 4], 15), [1, 1, 2, 1]),
          tf.tile(random([2, 3, 1, 8], 16), [1, 1, 2, 1]),
          tf.tile(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [3, 2]),
        ],
        exact,
      ));
    it('Slice: inner window of a 4-D tensor', () =>
      expectWasmMatchesCpu(
        'Slice',
        () => tf.slice(random([3, 8, 9, 5], 17), [1, 2, 3, 1], [2, 4, -1, 3]),
        exact,
      ));
    it('Transpose of a 4-D tensor', () =>
      expectWasmMatchesCpu('Transpose', () => tf.transpose(random([3, 4, 5, 6], 18), [0, 3, 1, 2]), exact));
    it('Unpack: box columns, and along a middle axis', () =>
      expectWasmMatchesCpu(
        'Unpack',
        () => [...tf.unstack(random([23, 4], 19), 1), ...tf.unstack(random([3, 4, 5], 20), 1)],
        exact,
      ));
    it('gradients through tile, slice and a broadcast product (Sum of broadcast gradients)', () =>
      expectWasmMatchesCpu(
        'Sum',
        () => {
          const x = random([2, 3, 1, 4], 21);
          const w = random([4], 22);
          const f = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.square(tf.slice(tf.mul(tf.tile(a, [1, 1, 2, 1]), b), [0, 1, 0, 0], [-1, 2, -1, -1])));
          return tf.grads(f)([x, w]);
        },
        close,
      ));
  });
});
