import {
  BatchMatMul,
  broadcast_util,
  _FusedMatMul as FusedMatMul,
  type _FusedMatMulAttrs as FusedMatMulAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { activationCode } from './activation-codes';
import type { NativeAddon } from './native-addon';
import { nativeKernel, type Planner, unsupportedInputs } from './native-kernel';
import { offsetOf } from './wasm-heap';

function planner(addon: NativeAddon, fused: boolean): Planner {
  return ({ inputs, attrs }, backend) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const matAttrs = attrs as unknown as FusedMatMulAttrs;
    const code = fused ? activationCode(matAttrs.activation) : 0;
    if (code === undefined) return `activation ${matAttrs.activation}`;
    if (preluActivationWeights !== undefined) return 'prelu weights';
    const bad = unsupportedInputs([a, b, bias]);
    if (bad) return bad;
    const { transposeA, transposeB } = matAttrs;
    const aShape = a!.shape;
    const bShape = b!.shape;
    if (aShape.length < 2 || bShape.length < 2) return 'rank below 2';
    const [aRows, aCols] = aShape.slice(-2) as [number, number];
    const [bRows, bCols] = bShape.slice(-2) as [number, number];
    const m = transposeA ? aCols : aRows;
    const k = transposeA ? aRows : aCols;
    const n = transposeB ? bRows : bCols;
    if (k !== (transposeB ? bCols : bRows)) return `inner dimensions of [${aShape}] and [${bShape}] differ`;
    const batchA = util.sizeFromShape(aShape.slice(0, -2));
    const batchB = util.sizeFromShape(bShape.slice(0, -2));
    const outer = broadcast_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
    const batch = util.sizeFromShape(outer);
    if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) {
      return `batch broadcast of [${aShape}] and [${bShape}]`;
    }
    if (bias && (util.sizeFromShape(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) {
      return `bias of shape [${bias.shape}]`;
    }
    const at = [offsetOf(backend, a!), offsetOf(backend, b!), bias ? offsetOf(backend, bias) : -1];
    const alpha = matAttrs.leakyreluAlpha ?? 0.2;
    const sizes = [batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0];
    return {
      shape: [...outer, m, n],
      run: (heap, output) => addon.matMul(heap, Float64Array.from([...sizes, ...at, output, code, alpha])),
    };
  };
}

/**
 * BatchMatMul (what tf.matMul runs) and _FusedMatMul (bias + activation, what tf.fused.matMul
 * and dense layers run) for the wasm backend on oneDNN: transposes are strides, not copies;
 * a batch of 1 on either side broadcasts. Other broadcasts, prelu and non-float32 fall back
 * to `originals` (tfjs-wasm's configs by kernel name).
 */
export function matMulKernelConfigs(
  addon: NativeAddon,
  originals: ReadonlyMap<string, KernelConfig>,
): KernelConfig[] {
  return [
    nativeKernel(BatchMatMul, planner(addon, false), originals.get(BatchMatMul)),
    nativeKernel(FusedMatMul, planner(addon, true), originals.get(FusedMatMul)),
  ];
}
