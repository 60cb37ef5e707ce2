import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The part of tfjs-backend-wasm's `BackendWasm` these kernels use, typed structurally (no
 * runtime import of the backend): tensors live in the wasm heap at `memoryOffset`, and
 * `wasm.HEAPU8` is the current view over that heap (replaced when the memory grows).
 */
export interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

/** Byte offset of a tensor's data in the wasm heap. */
export function offsetOf(backend: WasmBackend, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/**
 * The heap as the addon takes it. Read it after allocating outputs: allocating can grow the
 * memory, which replaces the buffer.
 */
export function heapOf(backend: WasmBackend): Uint8Array {
  const view = backend.wasm.HEAPU8;
  return new Uint8Array(view.buffer, 0, view.buffer.byteLength);
}
