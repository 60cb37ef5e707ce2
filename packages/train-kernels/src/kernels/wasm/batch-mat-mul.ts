import * as tf from '@tensorflow/tfjs-core';
import { runGemm, stridedPackA, stridedPackB } from './gemm';
import { floatIndexOf, type WasmBackend } from './wasm-backend';

/** For each output batch, the batch index in an input whose batch dims broadcast (right-aligned). */
function batchIndices(inputBatch: number[], outputBatch: number[]): number[] {
  const total = outputBatch.reduce((a, b) => a * b, 1);
  const offset = outputBatch.length - inputBatch.length;
  const indices: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let index = 0;
    let stride = 1;
    for (let d = outputBatch.length - 1; d >= 0; d--) {
      const coordinate = rest % outputBatch[d]!;
      rest = Math.floor(rest / outputBatch[d]!);
      const inputDim = d - offset;
      if (inputDim >= 0) {
        if (inputBatch[inputDim]! !== 1) index += coordinate * stride;
        stride *= inputBatch[inputDim]!;
      }
    }
    indices.push(index);
  }
  return indices;
}

/**
 * `BatchMatMul` for float32 on wasm with `transposeA` and/or `transposeB` (every Linear layer's
 * gradient), batch dims broadcast: each product is one blocked SIMD GEMM whose packing step reads
 * the operands in their stored order, so transposes cost nothing extra. Products without a
 * transpose, and other dtypes, go to `fallback` (tfjs-wasm's XNNPACK kernel) when there is one.
 * @param fallback the kernel this one replaced (tfjs-wasm's)
 */
export function batchMatMulWasm(fallback?: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const { inputs, attrs } = args;
      const backend = args.backend as unknown as WasmBackend;
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      // Products without transposes stay on tfjs-wasm's XNNPACK path (as fast or faster, and
      // forward passes keep their exact numerics); so do non-float32 ones.
      const plain = !transposeA && !transposeB;
      if (fallback && (plain || a.dtype !== 'float32' || b.dtype !== 'float32'))
        return fallback.kernelFunc(args);
      const rankA = a.shape.length;
      const rankB = b.shape.length;
      const m = transposeA ? a.shape[rankA - 1]! : a.shape[rankA - 2]!;
      const k = transposeA ? a.shape[rankA - 2]! : a.shape[rankA - 1]!;
      const n = transposeB ? b.shape[rankB - 2]! : b.shape[rankB - 1]!;
      const kB = transposeB ? b.shape[rankB - 1]! : b.shape[rankB - 2]!;
      tf.util.assert(k === kB, () => `BatchMatMul: inner dimensions ${k} and ${kB} differ`);
      const batchA = a.shape.slice(0, -2);
      const batchB = b.shape.slice(0, -2);
      const batch = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
      const output = backend.makeOutput([...batch, m, n], 'float32');
      const indexA = batchIndices(batchA, batch);
      const indexB = batchIndices(batchB, batch);
      const aBase = floatIndexOf(backend, a);
      const bBase = floatIndexOf(backend, b);
      const outBase = floatIndexOf(backend, output);
      for (let p = 0; p < indexA.length; p++) {
        const aStart = aBase + indexA[p]! * m * k;
        const bStart = bBase + indexB[p]! * k * n;
        const packA = transposeA ? stridedPackA(m, aStart, 1, m) : stridedPackA(m, aStart, k, 1);
        const packB = transposeB ? stridedPackB(n, bStart, 1, k) : stridedPackB(n, bStart, n, 1);
        runGemm(backend, output, { m, n, k, packA, packB }, outBase + p * m * n, n);
      }
      return output;
    },
  };
}
