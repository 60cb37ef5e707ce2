import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  ROI_ALIGN_FIRST_LEVEL_INPUT,
  RoiAlign,
  type RoiAlignAttrs,
  RoiAlignGrad,
  type RoiAlignGradAttrs,
  type RoiAlignGradInputs,
} from '../../kernel-names';
import { pooledShape, readRoiAlignGradInputs, readRoiAlignInputs } from '../shared/kernel-inputs';
import { roiAlignBackward, roiAlignForward } from '../shared/roi-align-loops';
import { simdAccumulateRow, simdScatterRow } from './simd-rows';
import { allocateOutput, pointerOf, simdFor, type WasmBackend } from './wasm-data';

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const roiAttrs = attrs as unknown as RoiAlignAttrs;
  const list = inputs as unknown as TensorInfo[];
  const shape = pooledShape(list[0]!.shape[0]!, roiAttrs, list[list.length - 1]!.shape[3]!);
  const { output, read, outputData } = allocateOutput(wasm, shape);
  const { levels, channels, box } = readRoiAlignInputs(inputs, read);
  const simd = simdFor(wasm, channels);
  const levelPointers = list.slice(ROI_ALIGN_FIRST_LEVEL_INPUT).map((info) => pointerOf(wasm, info));
  const accumulate = simd && simdAccumulateRow(simd, pointerOf(wasm, output), levelPointers, channels);
  roiAlignForward(levels, channels, box, roiAttrs, outputData, accumulate);
  return output;
};

const backward: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const gradAttrs = attrs as unknown as RoiAlignGradAttrs;
  const { output, read, outputData } = allocateOutput(wasm, (inputs.features as TensorInfo).shape);
  const { levels, channels, box, dy } = readRoiAlignGradInputs(inputs, gradAttrs, read);
  outputData.fill(0);
  const simd = simdFor(wasm, channels);
  const dyPointer = pointerOf(wasm, (inputs as RoiAlignGradInputs).dy);
  const scatter = simd && simdScatterRow(simd, dyPointer, pointerOf(wasm, output), channels);
  roiAlignBackward(dy, levels, gradAttrs.level, channels, box, gradAttrs, outputData, scatter);
  return output;
};

/**
 * RoIAlign forward on the wasm backend: the cpu kernel's loops run on views of the wasm heap
 * (no copies), with average pooling's channel loops in a small WebAssembly SIMD module bound
 * to the backend's own memory (see simd-module.ts). Measured against the composed ops and
 * torchvision in docs/benchmarks/roi-align.md.
 */
export const roiAlignWasmConfig: KernelConfig = {
  kernelName: RoiAlign,
  backendName: 'wasm',
  kernelFunc: forward,
};

/** RoIAlign gradient (one level) on the wasm backend (SIMD scatter for average pooling). */
export const roiAlignGradWasmConfig: KernelConfig = {
  kernelName: RoiAlignGrad,
  backendName: 'wasm',
  kernelFunc: backward,
};
