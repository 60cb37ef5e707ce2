import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The part of tfjs-backend-wasm's `BackendWasm` the kernels use, typed structurally (no
 * runtime import of the backend). Tensor data lives in the wasm heap; `typedArrayFromHeap`
 * views it without copying, so a JS loop reads and writes it in place.
 */
export interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Allocates the output first, then returns a view reader: allocating can grow the wasm
 * memory, which detaches every view taken before it.
 */
export function allocateOutput(backend: WasmBackend, shape: number[]) {
  const output = backend.makeOutput(shape, 'float32');
  const read = (info: TensorInfo) => backend.typedArrayFromHeap(info);
  return { output, read, outputData: read(output) as Float32Array };
}
