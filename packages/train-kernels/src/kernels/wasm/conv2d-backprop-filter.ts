import * as tf from '@tensorflow/tfjs-core';
import { type Packer, runGemm, stridedPackB } from './gemm';
import { type GemmOps, TILE_ROWS } from './gemm-module';
import { floatIndexOf, simdOf, type WasmBackend } from './wasm-backend';

/**
 * Packs one depth block (output pixels `k0 .. k0 + depth`) of the im2col matrix, transposed:
 * row `(kh, kw, ci)` of A holds the input value each output pixel reads through filter tap
 * `(kh, kw)` and channel `ci` (zero where the tap falls in the padding).
 */
function patchPacker(info: tf.backend_util.Conv2DInfo, x: number, ops: GemmOps | undefined): Packer {
  const { inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const m = filterHeight * filterWidth * inChannels;
  const mPad = Math.ceil(m / TILE_ROWS) * TILE_ROWS;
  const pixels = outHeight * outWidth;
  return (heap, dest, k0, depth) => {
    for (let i = m; i < mPad; i++) {
      const base = dest + (i >> 2) * depth * TILE_ROWS + (i & 3);
      for (let kk = 0; kk < depth; kk++) heap[base + kk * TILE_ROWS] = 0;
    }
    for (let kk = 0; kk < depth; kk++) {
      const p = k0 + kk;
      const b = Math.floor(p / pixels);
      const oh = Math.floor((p % pixels) / outWidth);
      const ow = p % outWidth;
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh - top;
        for (let kw = 0; kw < filterWidth; kw++) {
          const iw = ow * strideWidth + kw - left;
          const row0 = (kh * filterWidth + kw) * inChannels;
          const inside = ih >= 0 && ih < inHeight && iw >= 0 && iw < inWidth;
          const from = x + ((b * inHeight + ih) * inWidth + iw) * inChannels;
          if (ops && inside) {
            // rows row0.. fill whole 4-row groups: one 16-byte store per group, depth * 16 bytes apart
            const target = dest + ((row0 >> 2) * depth + kk) * TILE_ROWS;
            ops.copyGroups(4 * target, 16 * depth, 4 * from, inChannels >> 2);
            continue;
          }
          for (let ci = 0; ci < inChannels; ci++) {
            const i = row0 + ci;
            heap[dest + ((i >> 2) * depth + kk) * TILE_ROWS + (i & 3)] = inside ? heap[from + ci]! : 0;
          }
        }
      }
    }
  };
}

/**
 * `Conv2DBackpropFilter` on wasm (NHWC, any strides and padding, dilation 1): the filter
 * gradient as one GEMM, `dW[(kh, kw, ci), co] = sum_p patch[p, (kh, kw, ci)] dy[p, co]` over
 * every output pixel p, with the patches packed straight from `x` block by block (no full
 * im2col buffer) and the SIMD panel kernel doing the products.
 */
export const conv2dBackpropFilterWasm: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend: kernelBackend }) => {
    const backend = kernelBackend as unknown as WasmBackend;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    tf.util.assert(dataFormat === 'NHWC', () => `Conv2DBackpropFilter on wasm takes NHWC, got ${dataFormat}`);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const output = backend.makeOutput(filterShape, 'float32');
    const m = info.filterHeight * info.filterWidth * info.inChannels;
    const n = info.outChannels;
    const k = info.batchSize * info.outHeight * info.outWidth;
    const ops = info.inChannels % 4 === 0 ? simdOf(backend) : undefined;
    const packA = patchPacker(info, floatIndexOf(backend, x), ops);
    const packB = stridedPackB(n, floatIndexOf(backend, dy), n, 1);
    runGemm(backend, output, { m, n, k, packA, packB }, floatIndexOf(backend, output), n);
    return output;
  },
};
