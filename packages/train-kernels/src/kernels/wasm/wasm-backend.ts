import type { DataId, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { type GemmOps, gemmOps } from './gemm-module';

/**
 * The part of tfjs-backend-wasm's `BackendWasm` the kernels use, typed structurally (no runtime
 * import of the backend). Tensor data lives in the wasm heap at `dataIdMap.get(id).memoryOffset`;
 * the kernels read and write it in place through one Float32Array over the whole heap.
 */
export interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  /** One more tensor shares `dataId`'s heap data (freed when the last one is disposed). */
  incRef(dataId: DataId): void;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
}

/** Float index (byte offset / 4) of a tensor's data in the heap. */
export function floatIndexOf(backend: WasmBackend, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset >>> 2;
}

/**
 * The whole heap as floats. Take it only after the last allocation of a kernel call: allocating
 * can grow the memory, which detaches every view taken before.
 */
export function heapFloats(backend: WasmBackend, anyTensor: TensorInfo): Float32Array {
  return new Float32Array(backend.typedArrayFromHeap(anyTensor).buffer);
}

/** The heap as int32s (same caveat as {@link heapFloats}). */
export function heapInts(backend: WasmBackend, anyTensor: TensorInfo): Int32Array {
  return new Int32Array(backend.typedArrayFromHeap(anyTensor).buffer);
}

/** The SIMD loops bound to this backend's memory, or undefined (then the JavaScript loops run). */
export function simdOf(backend: WasmBackend): GemmOps | undefined {
  if (!simdEnabled) return undefined;
  return gemmOps(backend.wasm.asm?.memory ?? backend.wasm.wasmMemory);
}

let simdEnabled = true;
/** Test hook: run the JavaScript loops even where SIMD is available. @internal */
export function setSimdEnabled(enabled: boolean): void {
  simdEnabled = enabled;
}

/**
 * Temporary heap buffers of one kernel call, freed together by `dispose()` (in a `finally`).
 * Each is allocated as a backend tensor the engine never sees.
 */
export class HeapScratch {
  private readonly allocated: TensorInfo[] = [];
  constructor(private readonly backend: WasmBackend) {}

  /** Allocates `floats` floats (uninitialised); returns their float index in the heap. */
  floats(floats: number): number {
    const info = this.backend.makeOutput([Math.max(4, floats)], 'float32');
    this.allocated.push(info);
    return floatIndexOf(this.backend, info);
  }

  dispose(): void {
    for (const info of this.allocated) this.backend.disposeData(info.dataId, true);
    this.allocated.length = 0;
  }
}
