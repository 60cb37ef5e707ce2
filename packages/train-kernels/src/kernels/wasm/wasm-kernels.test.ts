import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { disposeAll, expectNoLeaks, relativeError, seededRandom, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels } from '../../register-training-kernels';
import { setSimdEnabled } from './wasm-backend';

const TOLERANCE = 1e-5;
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** Runs `f` on cpu (tfjs's kernels) and on wasm (ours), returns both results as arrays. */
async function onCpuAndWasm(f: () => tf.Tensor): Promise<[Float32Array, Float32Array]> {
  await useBackend('cpu');
  const expected = tf.tidy(f);
  const cpu = (await expected.data()) as Float32Array;
  expected.dispose();
  await useBackend('wasm');
  const actual = tf.tidy(f);
  const wasm = (await actual.data()) as Float32Array;
  expect(actual.shape).toEqual(expected.shape);
  actual.dispose();
  return [cpu, wasm];
}

/** 'explicit' stands for an asymmetric explicit padding. */
const padding = (pad: 'same' | 'valid' | 'explicit'): Pad =>
  pad === 'explicit'
    ? [
        [0, 0],
        [2, 0],
        [1, 1],
        [0, 0],
      ]
    : pad;

/** The shape of what `f` returns (the tensor is disposed). */
function shapeOf(f: () => tf.Tensor): number[] {
  const probe = tf.tidy(f);
  probe.dispose();
  return probe.shape.slice();
}

function randomArray(size: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: size }, () => random() * 2 - 1);
}
const randomTensor = (shape: number[], seed: number) =>
  tf.tensor(randomArray(tf.util.sizeFromShape(shape), seed), shape);

// Each kernel on wasm against tfjs-backend-cpu's, SIMD and JavaScript paths, odd and ResNet-like shapes.
describe.each([true, false])('wasm training kernels (SIMD %s)', (simd) => {
  beforeAll(async () => {
    await useBackend('wasm');
    registerTrainingKernels();
    setSimdEnabled(simd);
  });
  afterAll(() => setSimdEnabled(true));

  // [batch, height, width, in, out, kernel, stride, pad]
  const convs: [number, number, number, number, number, number, number, Pad][] = [
    [1, 5, 7, 3, 5, 3, 1, 'same'],
    [2, 9, 8, 4, 8, 3, 2, 'same'],
    [1, 11, 10, 6, 7, 3, 2, 'valid'],
    [
      1,
      13,
      12,
      3,
      16,
      7,
      2,
      [
        [0, 0],
        [3, 3],
        [3, 3],
        [0, 0],
      ],
    ],
    [2, 8, 8, 16, 12, 1, 1, 'valid'],
    [1, 9, 9, 16, 24, 1, 2, 'valid'],
    [
      1,
      6,
      7,
      5,
      3,
      2,
      2,
      [
        [0, 0],
        [1, 0],
        [0, 1],
        [0, 0],
      ],
    ],
    ...(simd
      ? ([
          [2, 16, 16, 64, 64, 3, 1, 'same'],
          [1, 16, 16, 128, 256, 1, 1, 'valid'],
        ] as const)
      : []),
  ] as [number, number, number, number, number, number, number, Pad][];
  for (const [batch, height, width, cin, cout, kernel, stride, pad] of convs) {
    const title = `${batch}x${height}x${width}x${cin} -> ${cout}, ${kernel}x${kernel}/${stride} ${JSON.stringify(pad)}`;
    it(`Conv2DBackpropFilter and Conv2DBackpropInput ${title}`, async () => {
      const x = [batch, height, width, cin] as [number, number, number, number];
      const filterShape = [kernel, kernel, cin, cout] as [number, number, number, number];
      const outShape = shapeOf(() =>
        tf.conv2d(tf.zeros(x) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, stride, pad),
      );
      const [cpuFilter, wasmFilter] = await onCpuAndWasm(
        () =>
          tf
            .engine()
            .runKernel(tf.Conv2DBackpropFilter, { x: randomTensor(x, 1), dy: randomTensor(outShape, 2) }, {
              strides: stride,
              pad,
              dataFormat: 'NHWC',
              filterShape,
            } as unknown as tf.NamedAttrMap) as tf.Tensor,
      );
      expect(relativeError(wasmFilter, cpuFilter)).toBeLessThan(TOLERANCE);
      const [cpuInput, wasmInput] = await onCpuAndWasm(
        () =>
          tf
            .engine()
            .runKernel(
              tf.Conv2DBackpropInput,
              { dy: randomTensor(outShape, 3), filter: randomTensor(filterShape, 4) },
              {
                strides: stride,
                pad,
                dataFormat: 'NHWC',
                inputShape: x,
              } as unknown as tf.NamedAttrMap,
            ) as tf.Tensor,
      );
      expect(relativeError(wasmInput, cpuInput)).toBeLessThan(TOLERANCE);
    });
  }

  // [batchA, batchB, m, k, n]
  const products = [
    [1, 1, 1, 1, 1],
    [1, 1, 5, 7, 3],
    [3, 3, 9, 17, 13],
    [2, 1, 8, 16, 8],
    [1, 4, 6, 5, 11],
    ...(simd
      ? [
          [1, 1, 300, 257, 129],
          [1, 1, 512, 1024, 91],
        ]
      : []),
  ];
  for (const [batchA, batchB, m, k, n] of products) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      it(`BatchMatMul [${batchA}] x [${batchB}], ${m}x${k} . ${k}x${n}, transposes ${transposeA} ${transposeB}`, async () => {
        const a = [batchA!, ...(transposeA ? [k!, m!] : [m!, k!])];
        const b = [batchB!, ...(transposeB ? [n!, k!] : [k!, n!])];
        const [cpu, wasm] = await onCpuAndWasm(() =>
          tf.matMul(randomTensor(a, 5), randomTensor(b, 6), transposeA, transposeB),
        );
        expect(relativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
      });
    }
  }

  it('BatchMatMul broadcasts batch dims both ways ([2, 1] with [1, 3])', async () => {
    // tfjs-cpu mis-sizes this product, so the reference multiplies explicitly broadcast operands.
    await useBackend('cpu');
    const expected = tf.tidy(() =>
      tf.matMul(
        tf.broadcastTo(randomTensor([2, 1, 3, 4], 7), [2, 3, 3, 4]),
        tf.broadcastTo(randomTensor([1, 3, 5, 4], 8), [2, 3, 5, 4]),
        false,
        true,
      ),
    );
    const cpu = await expected.data();
    expected.dispose();
    await useBackend('wasm');
    const actual = tf.tidy(() =>
      tf.matMul(randomTensor([2, 1, 3, 4], 7), randomTensor([1, 3, 5, 4], 8), false, true),
    );
    expect(actual.shape).toEqual([2, 3, 3, 5]);
    expect(relativeError(await actual.data(), cpu)).toBeLessThan(TOLERANCE);
    actual.dispose();
  });

  for (const [rows, rowShape, segments] of [
    [7, [4], 3],
    [9, [3, 2], 5],
    [40, [64], 10],
    [6, [], 4],
  ] as const) {
    it(`UnsortedSegmentSum ${rows} rows of [${rowShape}] into ${segments} (float32 and int32)`, async () => {
      const random = seededRandom(rows);
      // includes ids outside [0, segments), which are dropped
      const ids = Array.from({ length: rows }, () => Math.floor(random() * (segments + 2)) - 1);
      for (const dtype of ['float32', 'int32'] as const) {
        const [cpu, wasm] = await onCpuAndWasm(() => {
          const x = tf.cast(tf.mul(randomTensor([rows, ...rowShape], 9), 10), dtype);
          return tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), segments);
        });
        if (dtype === 'int32') expect(Array.from(wasm)).toEqual(Array.from(cpu));
        else expect(relativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
      }
    });
  }

  // [batch, height, width, channels, multiplier, kernel, stride, dilation, pad]
  for (const [batch, height, width, channels, multiplier, kernel, stride, dilation, pad] of [
    [1, 7, 6, 3, 1, 3, 1, 1, 'same'],
    [2, 9, 9, 4, 2, 3, 2, 1, 'valid'],
    [1, 8, 8, 2, 3, 3, 1, 1, 'explicit'],
  ] as const) {
    it(`DepthwiseConv2dNativeBackpropInput / Filter ${batch}x${height}x${width}x${channels}*${multiplier} ${kernel}x${kernel}/${stride} dilation ${dilation} ${pad}`, async () => {
      const inputShape = [batch, height, width, channels] as [number, number, number, number];
      const filterShape = [kernel, kernel, channels, multiplier] as [number, number, number, number];
      const dyShape = shapeOf(() =>
        tf.depthwiseConv2d(
          tf.zeros(inputShape) as tf.Tensor4D,
          tf.zeros(filterShape) as tf.Tensor4D,
          stride,
          padding(pad),
          'NHWC',
          dilation,
        ),
      );
      const attrs = {
        strides: stride,
        dilations: dilation,
        pad: padding(pad),
        inputShape,
        filterShape,
      } as unknown as tf.NamedAttrMap;
      const [cpuInput, wasmInput] = await onCpuAndWasm(
        () =>
          tf
            .engine()
            .runKernel(
              tf.DepthwiseConv2dNativeBackpropInput,
              { dy: randomTensor(dyShape, 10), filter: randomTensor(filterShape, 11) },
              attrs,
            ) as tf.Tensor,
      );
      expect(relativeError(wasmInput, cpuInput)).toBeLessThan(TOLERANCE);
      const [cpuFilter, wasmFilter] = await onCpuAndWasm(
        () =>
          tf
            .engine()
            .runKernel(
              tf.DepthwiseConv2dNativeBackpropFilter,
              { x: randomTensor(inputShape, 12), dy: randomTensor(dyShape, 13) },
              attrs,
            ) as tf.Tensor,
      );
      expect(relativeError(wasmFilter, cpuFilter)).toBeLessThan(TOLERANCE);
    });
  }
});

describe('wasm training kernels: memory', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    registerTrainingKernels();
  });

  it('every kernel leaves no tensors (and frees its heap scratch)', async () => {
    const inputs = [randomTensor([2, 9, 9, 8], 1), randomTensor([3, 3, 8, 12], 2), randomTensor([30, 7], 3)];
    const [x, filter, rows] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.Tensor2D];
    const ids = tf.tensor1d(
      [0, 2, 1, 0, 5, 2, 1, 0, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4],
      'int32',
    );
    const step = () => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
      )([x, filter]);
      const products = [tf.matMul(rows, rows, true, false), tf.matMul(rows, rows, false, true)];
      disposeAll([grads, products, tf.unsortedSegmentSum(rows, ids, 6)]);
    };
    const backend = tf.backend() as unknown as { numDataIds(): number };
    step();
    const dataIds = backend.numDataIds();
    await expectNoLeaks(step);
    expect(backend.numDataIds()).toBe(dataIds);
    disposeAll([inputs, ids]);
  });
});
