import type { DataType, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  ROI_ALIGN_FIRST_LEVEL_INPUT,
  RoiAlign,
  type RoiAlignAttrs,
  RoiAlignGrad,
  type RoiAlignGradAttrs,
  type RoiAlignGradInputs,
} from '../../kernel-names';
import { roiAlignGradProgram, roiAlignProgram, type WebgpuProgram, zeroProgram } from './roi-align-programs';

type Uniform = { type: 'float32' | 'int32'; data: number[] };

/** The part of tfjs-backend-webgpu's `WebGPUBackend` used here, typed structurally (no runtime import). */
interface WebgpuBackend extends KernelBackend {
  runWebGPUProgram(
    program: WebgpuProgram,
    inputs: TensorInfo[],
    outputDtype: DataType,
    uniforms?: Uniform[],
    output?: TensorInfo,
  ): TensorInfo;
}

function sharedUniforms(attrs: RoiAlignAttrs): Uniform[] {
  return [
    { type: 'int32', data: [attrs.samplingRatio] },
    { type: 'int32', data: [attrs.aligned ? 1 : 0] },
  ];
}

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as WebgpuBackend;
  const roiAttrs = attrs as unknown as RoiAlignAttrs;
  const list = inputs as unknown as TensorInfo[];
  const levels = list.slice(ROI_ALIGN_FIRST_LEVEL_INPUT);
  const outputShape = [list[0]!.shape[0]!, roiAttrs.outputHeight, roiAttrs.outputWidth, levels[0]!.shape[3]!];
  const program = roiAlignProgram(outputShape, levels.length, roiAttrs.poolingMode);
  const scales: Uniform[] = roiAttrs.spatialScales.map((scale) => ({ type: 'float32', data: [scale] }));
  return gpu.runWebGPUProgram(program, list, 'float32', [...scales, ...sharedUniforms(roiAttrs)]);
};

const backward: KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as WebgpuBackend;
  const gradAttrs = attrs as unknown as RoiAlignGradAttrs;
  const { dy, boxes, batchIndices, levels, features } = inputs as RoiAlignGradInputs;
  const gradient = gpu.runWebGPUProgram(zeroProgram(features.shape), [], 'float32');
  const dySize = dy.shape.reduce((a, b) => a * b, 1);
  if (dySize === 0) return gradient;
  const program = roiAlignGradProgram(features.shape, dySize, gradAttrs.level, gradAttrs.poolingMode);
  const uniforms: Uniform[] = [
    { type: 'float32', data: [gradAttrs.spatialScales[gradAttrs.level]!] },
    ...sharedUniforms(gradAttrs),
    { type: 'int32', data: [dySize] },
  ];
  // `features` is bound only where the program reads it (max mode): see roiAlignGradProgram.
  const programInputs = [
    dy,
    boxes,
    batchIndices,
    levels,
    ...(gradAttrs.poolingMode === 'max' ? [features] : []),
  ];
  return gpu.runWebGPUProgram(program, programInputs, 'float32', uniforms, gradient);
};

/**
 * RoIAlign forward on webgpu: a WGSL program, one thread per output element, every box on
 * its own level in one dispatch. Tested in headless Chromium (SwiftShader) by
 * `roi-align.browser.test.ts`.
 */
export const roiAlignWebgpuConfig: KernelConfig = {
  kernelName: RoiAlign,
  backendName: 'webgpu',
  kernelFunc: forward,
};

/** RoIAlign gradient (one level) on webgpu: zero fill, then an atomic scatter-add program. */
export const roiAlignGradWebgpuConfig: KernelConfig = {
  kernelName: RoiAlignGrad,
  backendName: 'webgpu',
  kernelFunc: backward,
};
