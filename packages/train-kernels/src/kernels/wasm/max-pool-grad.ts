import * as tf from '@tensorflow/tfjs-core';
import { floatIndexOf, heapFloats, type WasmBackend } from './wasm-backend';

/**
 * `MaxPoolGrad` on wasm, replacing tfjs-wasm 4.22's, which drops gradients: with a 1x1 window
 * and stride 2 (the FPN's P6, torchvision `LastLevelMaxPool`) it wrote only some channels of each
 * pixel (measured: 9 of 24 values zero that the cpu backend gives). Each output's gradient goes to
 * the first maximum of its window (tfjs cpu and torch alike); padding never wins. JavaScript loops
 * on the heap: max pooling is a small share of a training step.
 */
export const maxPoolGradWasm: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend: kernelBackend }) => {
    const backend = kernelBackend as unknown as WasmBackend;
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const dx = backend.makeOutput(input.shape, 'float32');
    const heap = heapFloats(backend, dx);
    const xAt = floatIndexOf(backend, input);
    const dyAt = floatIndexOf(backend, dy);
    const dxAt = floatIndexOf(backend, dx);
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    heap.fill(0, dxAt, dxAt + batchSize * inHeight * inWidth * channels);
    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        const y0 = oy * info.strideHeight - info.padInfo.top;
        for (let ox = 0; ox < outWidth; ox++) {
          const x0 = ox * info.strideWidth - info.padInfo.left;
          const dyPixel = dyAt + ((b * outHeight + oy) * outWidth + ox) * channels;
          for (let c = 0; c < channels; c++) {
            let best = -1;
            let bestValue = Number.NEGATIVE_INFINITY;
            for (let fy = 0; fy < info.effectiveFilterHeight; fy++) {
              const y = y0 + fy;
              if (y < 0 || y >= inHeight) continue;
              for (let fx = 0; fx < info.effectiveFilterWidth; fx++) {
                const x = x0 + fx;
                if (x < 0 || x >= inWidth) continue;
                const at = ((b * inHeight + y) * inWidth + x) * channels + c;
                const value = heap[xAt + at]!;
                if (value > bestValue || best < 0) {
                  bestValue = value;
                  best = at;
                }
              }
            }
            if (best >= 0) heap[dxAt + best]! += heap[dyPixel + c];
          }
        }
      }
    }
    return dx;
  },
};
