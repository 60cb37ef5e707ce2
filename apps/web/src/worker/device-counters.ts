import * as tf from '@tensorflow/tfjs-core';

/** Device work counted since the counters were installed (monotonic). */
export interface DeviceCounts {
  /** Device-to-CPU read-backs: `read`/`readSync` calls that had to copy a tensor off the device. */
  reads: number;
  /** Shader programs compiled (webgpu's pipeline cache grew); 0 on backends without shaders. */
  compiles: number;
}

/** The parts of tfjs-backend-webgpu's `WebGPUBackend` (4.22) read here; absent on other backends. */
interface CountedBackend {
  read(dataId: object): Promise<unknown>;
  readSync(dataId: object): unknown;
  /** Per tensor: `values` is set once the data is on the CPU (uploaded from it or read back). */
  tensorMap?: { get(dataId: object): { values?: unknown } | undefined };
  /** Compiled pipelines by shader key (webgpu). */
  pipelineCache?: Record<string, unknown>;
  /** Marks a backend whose methods are wrapped already. */
  __rcnnCounts?: DeviceCounts;
}

/**
 * Counts the active backend's device-to-CPU read-backs and shader compiles, for the page's
 * per-stage figures. Wraps the backend instance's `read` and `readSync` (once per backend); a
 * read of a tensor whose values are already on the CPU (uploaded from it, or read before) is not
 * counted, so on cpu and wasm, where every tensor lives in CPU memory, only webgpu-style copies
 * count. Call after the backend is set.
 * @returns a function giving the current totals
 */
export function countDeviceWork(): () => DeviceCounts {
  const backend = tf.backend() as unknown as CountedBackend;
  const counts = backend.__rcnnCounts ?? { reads: 0, compiles: 0 };
  if (!backend.__rcnnCounts) {
    backend.__rcnnCounts = counts;
    const onDevice = (dataId: object) =>
      backend.tensorMap !== undefined && backend.tensorMap.get(dataId)?.values == null;
    const read = backend.read.bind(backend);
    const readSync = backend.readSync.bind(backend);
    backend.read = (dataId) => {
      if (onDevice(dataId)) counts.reads++;
      return read(dataId);
    };
    backend.readSync = (dataId) => {
      if (onDevice(dataId)) counts.reads++;
      return readSync(dataId);
    };
  }
  return () => ({
    reads: counts.reads,
    compiles: backend.pipelineCache ? Object.keys(backend.pipelineCache).length : 0,
  });
}
