import * as tf from '@tensorflow/tfjs-core';
import { floatIndexOf, heapFloats, type WasmBackend } from './wasm-backend';

type Geometry = tf.backend_util.Conv2DInfo;

/**
 * Visits every (output pixel, filter tap) pair that lands inside the input: `visit(dyAt, xAt,
 * tapAt)` with the float offsets (relative to each tensor) of the output pixel's channels, the
 * input pixel's channels and the tap's `[inChannels, multiplier]` block.
 */
function forEachTap(info: Geometry, visit: (dyAt: number, xAt: number, tapAt: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const multiplier = outChannels / inChannels;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyAt = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh * dilationHeight - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            visit(
              dyAt,
              ((b * inHeight + ih) * inWidth + iw) * inChannels,
              (kh * filterWidth + kw) * inChannels * multiplier,
            );
          }
        }
      }
    }
  }
}

function geometry(
  inputShape: number[],
  filterShape: number[],
  attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs | tf.DepthwiseConv2dNativeBackpropFilterAttrs,
): Geometry {
  // tfjs's depthwise gradient refuses dilations > 1 too (and tfjs-cpu's kernels ignore them).
  tf.util.assert(
    [attrs.dilations].flat().every((d) => d === 1),
    () => `depthwise backprop on wasm takes dilation 1, got ${attrs.dilations}`,
  );
  return tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

/**
 * `DepthwiseConv2dNativeBackpropInput` on wasm (NHWC, strides, any padding, dilation 1), as
 * JavaScript loops over the heap: `dx[b, ih, iw, c] += dy[b, oh, ow, c m + q] W[kh, kw, c, q]`.
 */
export const depthwiseBackpropInputWasm: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend: kernelBackend }) => {
    const backend = kernelBackend as unknown as WasmBackend;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const settings = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const info = geometry(settings.inputShape, filter.shape, settings);
    const output = backend.makeOutput(settings.inputShape, 'float32');
    const heap = heapFloats(backend, output);
    const [dyBase, filterBase, dxBase] = [dy, filter, output].map((t) => floatIndexOf(backend, t)) as [
      number,
      number,
      number,
    ];
    heap.fill(0, dxBase, dxBase + tf.util.sizeFromShape(settings.inputShape));
    const channels = info.inChannels;
    const multiplier = info.outChannels / channels;
    forEachTap(info, (dyAt, xAt, tapAt) => {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let q = 0; q < multiplier; q++) {
          sum += heap[dyBase + dyAt + c * multiplier + q]! * heap[filterBase + tapAt + c * multiplier + q]!;
        }
        heap[dxBase + xAt + c]! += sum;
      }
    });
    return output;
  },
};

/**
 * `DepthwiseConv2dNativeBackpropFilter` on wasm, as JavaScript loops over the heap:
 * `dW[kh, kw, c, q] += x[b, ih, iw, c] dy[b, oh, ow, c m + q]`.
 */
export const depthwiseBackpropFilterWasm: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend: kernelBackend }) => {
    const backend = kernelBackend as unknown as WasmBackend;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const settings = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = geometry(x.shape, settings.filterShape, settings);
    const output = backend.makeOutput(settings.filterShape, 'float32');
    const heap = heapFloats(backend, output);
    const [xBase, dyBase, dwBase] = [x, dy, output].map((t) => floatIndexOf(backend, t)) as [
      number,
      number,
      number,
    ];
    heap.fill(0, dwBase, dwBase + tf.util.sizeFromShape(settings.filterShape));
    const channels = info.inChannels;
    const multiplier = info.outChannels / channels;
    forEachTap(info, (dyAt, xAt, tapAt) => {
      for (let c = 0; c < channels; c++) {
        const value = heap[xBase + xAt + c]!;
        for (let q = 0; q < multiplier; q++) {
          heap[dwBase + tapAt + c * multiplier + q]! += value * heap[dyBase + dyAt + c * multiplier + q]!;
        }
      }
    });
    return output;
  },
};
