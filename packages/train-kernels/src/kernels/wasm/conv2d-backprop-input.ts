import * as tf from '@tensorflow/tfjs-core';
import { runGemm, stridedPackA, stridedPackB } from './gemm';
import { floatIndexOf, HeapScratch, heapFloats, simdOf, type WasmBackend } from './wasm-backend';

/** Floats of the per-chunk column buffer (4 MiB): bounds scratch memory for large layers. */
const COLUMN_BUFFER_FLOATS = 1 << 20;

/**
 * `Conv2DBackpropInput` on wasm (NHWC, any strides and padding, dilation 1). For a chunk of
 * output pixels, one SIMD GEMM gives every pixel's contribution to every filter tap,
 * `cols[p, (kh, kw, ci)] = sum_co dy[p, co] W[kh, kw, ci, co]`; then each tap's `inChannels`
 * values are added into dx where the tap lands (col2im). A 1x1, stride-1, unpadded conv is one
 * GEMM straight into dx.
 */
export function conv2dBackpropInputWasm(fallback?: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: ({ inputs, attrs, backend: kernelBackend }) => {
      const backend = kernelBackend as unknown as WasmBackend;
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
        attrs as unknown as tf.Conv2DBackpropInputAttrs;
      tf.util.assert(
        dataFormat === 'NHWC',
        () => `Conv2DBackpropInput on wasm takes NHWC, got ${dataFormat}`,
      );
      const info = tf.backend_util.computeConv2DInfo(
        inputShape,
        filter.shape as [number, number, number, number],
        strides,
        1,
        pad,
        dimRoundingMode,
        false,
        'channelsLast',
      );
      const output = backend.makeOutput(inputShape, 'float32');
      const { inChannels, outChannels, filterHeight, filterWidth } = info;
      const pixels = info.batchSize * info.outHeight * info.outWidth;
      const taps = filterHeight * filterWidth * inChannels;
      const dyAt = floatIndexOf(backend, dy);
      const filterAt = floatIndexOf(backend, filter);
      const dxAt = floatIndexOf(backend, output);
      // B(co, (kh, kw, ci)) = filter[(kh, kw, ci) * outChannels + co]: the filter read transposed.
      const packB = stridedPackB(taps, filterAt, 1, outChannels);
      const pointwise =
        filterHeight === 1 &&
        filterWidth === 1 &&
        info.strideHeight === 1 &&
        info.strideWidth === 1 &&
        info.padInfo.top === 0 &&
        info.padInfo.left === 0;
      if (pointwise) {
        const packA = stridedPackA(pixels, dyAt, outChannels, 1);
        runGemm(backend, output, { m: pixels, n: taps, k: outChannels, packA, packB }, dxAt, taps);
        return output;
      }
      const chunk = Math.max(4, Math.floor(COLUMN_BUFFER_FLOATS / Math.max(taps, 1) / 4) * 4);
      const scratch = new HeapScratch(backend);
      try {
        const columns = scratch.floats(Math.min(chunk, pixels) * taps);
        heapFloats(backend, output).fill(0, dxAt, dxAt + tf.util.sizeFromShape(inputShape));
        for (let p0 = 0; p0 < pixels; p0 += chunk) {
          const rows = Math.min(chunk, pixels - p0);
          const packA = stridedPackA(rows, dyAt + p0 * outChannels, outChannels, 1);
          runGemm(backend, output, { m: rows, n: taps, k: outChannels, packA, packB }, columns, taps);
          scatterColumns(backend, output, info, columns, p0, rows, dxAt);
        }
      } finally {
        scratch.dispose();
      }
      return output;
    },
  };
}

/** col2im: adds each pixel's per-tap `inChannels` values into dx where the tap lands. */
function scatterColumns(
  backend: WasmBackend,
  anchor: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  columns: number,
  p0: number,
  rows: number,
  dx: number,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const ops = inChannels % 4 === 0 ? simdOf(backend) : undefined;
  const heap = heapFloats(backend, anchor);
  const perImage = outHeight * outWidth;
  for (let r = 0; r < rows; r++) {
    const p = p0 + r;
    const b = Math.floor(p / perImage);
    const oh = Math.floor((p % perImage) / outWidth);
    const ow = p % outWidth;
    let from = columns + r * filterHeight * filterWidth * inChannels;
    for (let kh = 0; kh < filterHeight; kh++) {
      const ih = oh * strideHeight + kh - top;
      for (let kw = 0; kw < filterWidth; kw++, from += inChannels) {
        const iw = ow * strideWidth + kw - left;
        if (ih < 0 || ih >= inHeight || iw < 0 || iw >= inWidth) continue;
        const to = dx + ((b * inHeight + ih) * inWidth + iw) * inChannels;
        if (ops) ops.addInto(4 * to, 4 * from, inChannels >> 2);
        else for (let ci = 0; ci < inChannels; ci++) heap[to + ci]! += heap[from + ci];
      }
    }
  }
}
