import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { RoiAlign, type RoiAlignAttrs, RoiAlignGrad, type RoiAlignGradAttrs } from '../../kernel-names';
import { pooledShape, readRoiAlignGradInputs, readRoiAlignInputs } from '../shared/kernel-inputs';
import { roiAlignBackward, roiAlignForward } from '../shared/roi-align-loops';
import { allocateOutput, type WasmBackend } from './wasm-data';

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const roiAttrs = attrs as unknown as RoiAlignAttrs;
  const list = inputs as unknown as TensorInfo[];
  const shape = pooledShape(list[0]!.shape[0]!, roiAttrs, list[list.length - 1]!.shape[3]!);
  const { output, read, outputData } = allocateOutput(wasm, shape);
  const { levels, channels, box } = readRoiAlignInputs(inputs, read);
  roiAlignForward(levels, channels, box, roiAttrs, outputData);
  return output;
};

const backward: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const gradAttrs = attrs as unknown as RoiAlignGradAttrs;
  const { output, read, outputData } = allocateOutput(wasm, (inputs.features as TensorInfo).shape);
  const { levels, channels, box, dy } = readRoiAlignGradInputs(inputs, gradAttrs, read);
  outputData.fill(0);
  roiAlignBackward(dy, levels, gradAttrs.level, channels, box, gradAttrs, outputData);
  return output;
};

/**
 * RoIAlign forward on the wasm backend: the same JS loop as the cpu kernel, run on views of
 * the wasm heap (no copies in or out). Measured faster than the composed ops on wasm (see
 * docs/benchmarks/roi-align.md).
 */
export const roiAlignWasmConfig: KernelConfig = {
  kernelName: RoiAlign,
  backendName: 'wasm',
  kernelFunc: forward,
};

/** RoIAlign gradient (one level) on the wasm backend. */
export const roiAlignGradWasmConfig: KernelConfig = {
  kernelName: RoiAlignGrad,
  backendName: 'wasm',
  kernelFunc: backward,
};
