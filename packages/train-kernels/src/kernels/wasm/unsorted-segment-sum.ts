import * as tf from '@tensorflow/tfjs-core';
import { floatIndexOf, heapFloats, heapInts, simdOf, type WasmBackend } from './wasm-backend';

/**
 * `UnsortedSegmentSum` on wasm (the kernel `tf.gather`'s gradient calls): `out[s] = sum of the
 * rows x[i] with segmentIds[i] == s`, for 1-D `segmentIds` over x's first dimension; ids outside
 * `[0, numSegments)` are dropped, as in TensorFlow. float32 rows add with SIMD when their length
 * is a multiple of 4; int32 is supported too.
 */
export const unsortedSegmentSumWasm: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend: kernelBackend }) => {
    const backend = kernelBackend as unknown as WasmBackend;
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    tf.util.assert(
      segmentIds.shape.length === 1 && segmentIds.shape[0] === x.shape[0],
      () =>
        `UnsortedSegmentSum on wasm takes 1-D segmentIds over x's first dimension, got [${segmentIds.shape}]`,
    );
    tf.util.assert(
      x.dtype === 'float32' || x.dtype === 'int32',
      () => `UnsortedSegmentSum: dtype ${x.dtype}`,
    );
    const rowSize = tf.util.sizeFromShape(x.shape.slice(1));
    const output = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
    const ids = heapInts(backend, segmentIds);
    const idsAt = floatIndexOf(backend, segmentIds);
    const values = x.dtype === 'float32' ? heapFloats(backend, output) : heapInts(backend, output);
    const xAt = floatIndexOf(backend, x);
    const outAt = floatIndexOf(backend, output);
    values.fill(0, outAt, outAt + numSegments * rowSize);
    const ops = x.dtype === 'float32' && rowSize % 4 === 0 ? simdOf(backend) : undefined;
    for (let i = 0; i < x.shape[0]!; i++) {
      const id = ids[idsAt + i]!;
      if (id < 0 || id >= numSegments) continue;
      const to = outAt + id * rowSize;
      const from = xAt + i * rowSize;
      if (ops) ops.addInto(4 * to, 4 * from, rowSize >> 2);
      else for (let j = 0; j < rowSize; j++) values[to + j]! += values[from + j];
    }
    return output;
  },
};
