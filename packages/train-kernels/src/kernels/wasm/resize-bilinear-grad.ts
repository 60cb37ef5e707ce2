import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinearGradArgs } from '../resize-bilinear-grad-args';
import { resizeBilinearGradInto } from '../resize-bilinear-grad-loop';
import { floatIndexOf, heapFloats, type WasmBackend } from './wasm-backend';

/**
 * `ResizeBilinearGrad` on wasm (the gradient of `tf.image.resizeBilinear`), replacing tfjs-wasm
 * 4.22's, which reads only `alignCorners` and ignores `halfPixelCenters`: for the half-pixel resize
 * (torch `align_corners=False`, the keypoint predictor's 2x upsampling) it returns the gradient of
 * the legacy mapping, source = output index * in / out, half a pixel off. All three mappings of
 * the forward op (see {@link resizeBilinearGradInto}); JavaScript loops on the heap.
 * Inputs: `images` `[batch, inHeight, inWidth, depth]` (shape only), `dy` float32
 * `[batch, outHeight, outWidth, depth]`; output float32 of `images`' shape.
 */
export const resizeBilinearGradWasm: tf.KernelConfig = {
  kernelName: tf.ResizeBilinearGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend: kernelBackend }) => {
    const backend = kernelBackend as unknown as WasmBackend;
    const { images, dy, mode } = resizeBilinearGradArgs(inputs, attrs);
    const dx = backend.makeOutput(images.shape, 'float32');
    const heap = heapFloats(backend, dx);
    resizeBilinearGradInto(
      heap,
      floatIndexOf(backend, dy),
      heap,
      floatIndexOf(backend, dx),
      images.shape,
      dy.shape,
      mode,
    );
    return dx;
  },
};
