import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The part of tfjs-backend-cpu's `MathBackendCPU` the kernels use, typed structurally so
 * this package needs no runtime import of the backend: tensor data lives in JS typed arrays.
 */
export interface CpuBackend extends KernelBackend {
  data: { get(dataId: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array | Int32Array): TensorInfo;
}

/** The typed array holding `info`'s values on the cpu backend (not a copy: never write to it). */
export function cpuValues(backend: CpuBackend, info: TensorInfo): Float32Array | Int32Array | Uint8Array {
  const values = backend.data.get(info.dataId).values;
  if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)
    return values;
  throw new Error(`cpu tensor of dtype ${info.dtype} holds no typed array`);
}
