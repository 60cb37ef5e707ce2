import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { RoiAlign, type RoiAlignAttrs, RoiAlignGrad, type RoiAlignGradAttrs } from '../../kernel-names';
import { pooledShape, readRoiAlignGradInputs, readRoiAlignInputs } from '../shared/kernel-inputs';
import { roiAlignBackward, roiAlignForward } from '../shared/roi-align-loops';
import { type CpuBackend, cpuValues } from './cpu-data';

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as CpuBackend;
  const roiAttrs = attrs as unknown as RoiAlignAttrs;
  const { levels, channels, box } = readRoiAlignInputs(inputs, (info) => cpuValues(cpu, info));
  const shape = pooledShape(box.levels.length, roiAttrs, channels);
  const out = new Float32Array(shape[0]! * shape[1]! * shape[2]! * shape[3]!);
  roiAlignForward(levels, channels, box, roiAttrs, out);
  return cpu.makeTensorInfo(shape, 'float32', out);
};

const backward: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as CpuBackend;
  const gradAttrs = attrs as unknown as RoiAlignGradAttrs;
  const read = (info: TensorInfo) => cpuValues(cpu, info);
  const { levels, channels, box, dy } = readRoiAlignGradInputs(inputs, gradAttrs, read);
  const shape = (inputs.features as TensorInfo).shape;
  const gradient = new Float32Array(levels[gradAttrs.level]!.data.length);
  roiAlignBackward(dy, levels, gradAttrs.level, channels, box, gradAttrs, gradient);
  return cpu.makeTensorInfo(shape, 'float32', gradient);
};

/** RoIAlign forward on the cpu backend: a loop over the backend's own Float32Arrays. */
export const roiAlignCpuConfig: KernelConfig = {
  kernelName: RoiAlign,
  backendName: 'cpu',
  kernelFunc: forward,
};

/** RoIAlign gradient (one level) on the cpu backend. */
export const roiAlignGradCpuConfig: KernelConfig = {
  kernelName: RoiAlignGrad,
  backendName: 'cpu',
  kernelFunc: backward,
};
