import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { type SimdChannelOps, simdChannelOps } from './simd-module';

/**
 * The part of tfjs-backend-wasm's `BackendWasm` the kernels use, typed structurally (no
 * runtime import of the backend). Tensor data lives in the wasm heap; `typedArrayFromHeap`
 * views it without copying, so a JS loop reads and writes it in place, and
 * `dataIdMap.get(id).memoryOffset` gives its byte offset for the SIMD module.
 */
export interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  wasm: { asm?: { memory?: WebAssembly.Memory } };
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

/** Byte offset of a tensor's data in the wasm heap. */
export function pointerOf(backend: WasmBackend, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/** The SIMD channel loops for this backend's memory, when usable for `channels` (a multiple of 4). */
export function simdFor(backend: WasmBackend, channels: number): SimdChannelOps | undefined {
  return channels % 4 === 0 ? simdChannelOps(backend.wasm.asm?.memory) : undefined;
}
