import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { availability, expectWasmMatchesCpu, randomValues, skipReason } from '../test/compare-backends';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: Pad;
  dilations?: number;
}

const explicit = (t: number, b: number, l: number, r: number): Pad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

const CASES: ConvCase[] = [
  { name: '1x1 stride 1 valid', x: [1, 9, 11, 16], filter: [1, 1, 16, 24], strides: 1, pad: 'valid' },
  {
    name: '1x1 stride 2 valid (downsample)',
    x: [2, 10, 9, 8],
    filter: [1, 1, 8, 16],
    strides: 2,
    pad: 'valid',
  },
  { name: '3x3 stride 1 same', x: [1, 12, 10, 8], filter: [3, 3, 8, 12], strides: 1, pad: 'same' },
  { name: '3x3 stride 2 same, batch 2', x: [2, 13, 12, 8], filter: [3, 3, 8, 16], strides: 2, pad: 'same' },
  { name: '3x3 stride 2 valid, odd size', x: [1, 15, 11, 4], filter: [3, 3, 4, 8], strides: 2, pad: 'valid' },
  {
    name: '3x3 stride 1 explicit 1',
    x: [1, 10, 10, 8],
    filter: [3, 3, 8, 8],
    strides: 1,
    pad: explicit(1, 1, 1, 1),
  },
  {
    name: '7x7 stride 2 explicit 3 (ResNet stem)',
    x: [1, 20, 18, 3],
    filter: [7, 7, 3, 16],
    strides: 2,
    pad: explicit(3, 3, 3, 3),
  },
  {
    name: 'asymmetric explicit padding',
    x: [1, 9, 8, 4],
    filter: [3, 2, 4, 6],
    strides: 1,
    pad: explicit(0, 2, 1, 0),
  },
  {
    name: '3x3 dilation 2 same',
    x: [1, 14, 14, 8],
    filter: [3, 3, 8, 8],
    strides: 1,
    pad: 'same',
    dilations: 2,
  },
  // oneDNN 2.6's own strided 1x1 weight gradient corrupted the heap here with 2 threads
  // (in_channels < 16, batch 1, small output): the kernel now takes every stride-th pixel itself.
  {
    name: '1x1 stride 2 valid, batch 1, 8 -> 16 channels at 16x16',
    x: [1, 16, 16, 8],
    filter: [1, 1, 8, 16],
    strides: 2,
    pad: 'valid',
  },
  {
    name: '1x1 stride 2 valid, odd size, 3 -> 8 channels',
    x: [1, 15, 13, 3],
    filter: [1, 1, 3, 8],
    strides: 2,
    pad: 'valid',
  },
];

function tensors(c: ConvCase, seed: number) {
  return {
    x: tf.tensor4d(randomValues(c.x, seed), c.x),
    filter: tf.tensor4d(randomValues(c.filter, seed + 1), c.filter),
    bias: tf.tensor1d(randomValues([c.filter[3]], seed + 2)),
  };
}

describe.skipIf(!availability.available)(`oneDNN conv kernels vs tfjs cpu${skipReason}`, () => {
  beforeAll(() => registerNativeKernels({ threads: 2 }));
  afterAll(() => unregisterNativeKernels());

  describe('Conv2D', () => {
    for (const c of CASES) {
      it(c.name, () =>
        expectWasmMatchesCpu('Conv2D', () => {
          const { x, filter } = tensors(c, 1);
          return tf.conv2d(x, filter, c.strides, c.pad, 'NHWC', c.dilations ?? 1);
        }),
      );
    }
  });

  describe('FusedConv2D', () => {
    const activations = [
      ['relu', 0],
      ['linear', 0],
      ['relu6', 0],
      ['leakyrelu', 0.1],
      ['sigmoid', 0],
      ['elu', 0],
    ] as const;
    for (const [activation, leakyreluAlpha] of activations) {
      for (const c of [CASES[2]!, CASES[3]!, CASES[6]!]) {
        it(`bias + ${activation}, ${c.name}`, () =>
          expectWasmMatchesCpu('FusedConv2D', () => {
            const { x, filter, bias } = tensors(c, 2);
            const scaled = tf.mul(x, 3) as tf.Tensor4D; // push values past relu6's cap
            return tf.fused.conv2d({
              x: scaled,
              filter,
              strides: c.strides,
              pad: c.pad,
              bias,
              activation,
              leakyreluAlpha,
            });
          }));
      }
    }
    it('relu without bias', () =>
      expectWasmMatchesCpu('FusedConv2D', () => {
        const { x, filter } = tensors(CASES[0]!, 3);
        return tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', activation: 'relu' });
      }));
    it('prelu falls back to the wasm kernel', () =>
      expectWasmMatchesCpu(
        'FusedConv2D',
        () => {
          const { x, filter, bias } = tensors(CASES[2]!, 4);
          const preluActivationWeights = tf.fill([12], 0.25);
          return tf.fused.conv2d({
            x,
            filter,
            pad: 'same',
            strides: 1,
            bias,
            activation: 'prelu',
            preluActivationWeights,
          });
        },
        { expectFallback: true },
      ));
  });

  describe('Conv2DBackpropInput (conv2dTranspose)', () => {
    for (const c of CASES.filter((each) => each.dilations === undefined)) {
      it(c.name, () =>
        expectWasmMatchesCpu('Conv2DBackpropInput', () => {
          const { x, filter } = tensors(c, 5);
          const y = tf.conv2d(x, filter, c.strides, c.pad);
          const dy = tf.tensor4d(randomValues(y.shape, 6), y.shape as [number, number, number, number]);
          return tf.conv2dTranspose(dy, filter, c.x, c.strides, c.pad);
        }),
      );
    }
  });

  describe('Conv2DBackpropFilter', () => {
    for (const c of CASES.filter((each) => each.dilations === undefined)) {
      it(c.name, () =>
        expectWasmMatchesCpu('Conv2DBackpropFilter', () => {
          const { x, filter } = tensors(c, 7);
          const y = tf.conv2d(x, filter, c.strides, c.pad);
          const dy = tf.tensor4d(randomValues(y.shape, 8), y.shape as [number, number, number, number]);
          return conv2dFilterGradient(x, dy, c);
        }),
      );
    }
  });

  it('gradients of a fused conv (dx, dfilter, dbias) through tf.grads', () =>
    expectWasmMatchesCpu('Conv2DBackpropFilter', () => {
      const c = CASES[3]!;
      const { x, filter, bias } = tensors(c, 9);
      const weights = tf.tensor(randomValues([2, 7, 6, 16], 10), [2, 7, 6, 16]);
      const loss = (xs: tf.Tensor, fs: tf.Tensor, bs: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.fused.conv2d({
              x: xs as tf.Tensor4D,
              filter: fs as tf.Tensor4D,
              strides: 2,
              pad: 'same',
              bias: bs,
              activation: 'relu',
            }),
            weights,
          ),
        );
      return tf.grads(loss)([x, filter, bias]);
    }));
});

/** Conv2DBackpropFilter through tfjs's gradient of conv2d with respect to the filter. */
function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, c: ConvCase): tf.Tensor {
  return tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, c.strides, c.pad))(tf.zeros(c.filter), dy);
}
