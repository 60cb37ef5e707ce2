import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { RoiPool, type RoiPoolAttrs, RoiPoolGrad, type RoiPoolGradInputs } from '../../kernel-names';
import { pooledShape, readFloat32, readInt32 } from '../shared/kernel-inputs';
import { roiPoolBackward, roiPoolForward } from '../shared/roi-pool-loops';
import { type CpuBackend, cpuValues } from './cpu-data';

type Shape4 = [number, number, number, number];

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as CpuBackend;
  const poolAttrs = attrs as unknown as RoiPoolAttrs;
  const { features, boxes, batchIndices } = inputs as RoiPoolGradInputs;
  const read = (info: TensorInfo) => cpuValues(cpu, info);
  const shape = pooledShape(boxes.shape[0]!, poolAttrs, features.shape[3]!);
  const out = new Float32Array(shape[0]! * shape[1]! * shape[2]! * shape[3]!);
  const batch = readInt32(read, batchIndices);
  roiPoolForward(
    readFloat32(read, features),
    features.shape as Shape4,
    readFloat32(read, boxes),
    batch,
    poolAttrs,
    out,
  );
  return cpu.makeTensorInfo(shape, 'float32', out);
};

const backward: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as CpuBackend;
  const { dy, features, boxes, batchIndices } = inputs as RoiPoolGradInputs;
  const read = (info: TensorInfo) => cpuValues(cpu, info);
  const data = readFloat32(read, features);
  const gradient = new Float32Array(data.length);
  const shape = features.shape as Shape4;
  const batch = readInt32(read, batchIndices);
  const attributes = attrs as unknown as RoiPoolAttrs;
  roiPoolBackward(readFloat32(read, dy), data, shape, readFloat32(read, boxes), batch, attributes, gradient);
  return cpu.makeTensorInfo(shape, 'float32', gradient);
};

/** RoIPool forward on the cpu backend. */
export const roiPoolCpuConfig: KernelConfig = {
  kernelName: RoiPool,
  backendName: 'cpu',
  kernelFunc: forward,
};

/** RoIPool gradient on the cpu backend. */
export const roiPoolGradCpuConfig: KernelConfig = {
  kernelName: RoiPoolGrad,
  backendName: 'cpu',
  kernelFunc: backward,
};
