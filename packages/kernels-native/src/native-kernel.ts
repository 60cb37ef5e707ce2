import {
  type DataType,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { countFallback, countNative } from './kernel-stats';
import { heapOf, offsetOf, type WasmBackend } from './wasm-heap';

/** What a native kernel will compute: its output shape and the addon call that fills it. */
export interface NativePlan {
  shape: number[];
  /** Default float32. */
  dtype?: DataType;
  /** Runs the addon over `heap`, writing the output at byte offset `output`. */
  run(heap: Uint8Array, output: number): void;
}

/** Decides, from a kernel call, a native plan or (a string) why the call falls back. */
export type Planner = (args: Parameters<KernelFunc>[0], backend: WasmBackend) => NativePlan | string;

/**
 * Wraps a planner as a wasm KernelConfig under tfjs's own kernel name. Unsupported calls,
 * and calls oneDNN rejects, run `original` (tfjs-wasm's kernel, whose setup this config
 * also runs); with no original (Conv2DBackpropFilter) they throw with the reason.
 */
export function nativeKernel(kernelName: string, planner: Planner, original?: KernelConfig): KernelConfig {
  const fallback = (args: Parameters<KernelFunc>[0], reason: string) => {
    countFallback(kernelName, reason);
    if (original) return original.kernelFunc(args);
    throw new Error(`Kernel '${kernelName}' has no wasm implementation to fall back to: ${reason}`);
  };
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const plan = planner(args, backend);
    if (typeof plan === 'string') return fallback(args, plan);
    const output: TensorInfo = backend.makeOutput(plan.shape, plan.dtype ?? 'float32');
    if (util.sizeFromShape(plan.shape) === 0) return output;
    try {
      plan.run(heapOf(backend), offsetOf(backend, output));
    } catch (error) {
      backend.disposeData(output.dataId, true);
      return fallback(args, (error as Error).message);
    }
    countNative(kernelName);
    return output;
  };
  const config: KernelConfig = { kernelName, backendName: 'wasm', kernelFunc };
  if (original?.setupFunc) config.setupFunc = original.setupFunc;
  if (original?.disposeFunc) config.disposeFunc = original.disposeFunc;
  return config;
}

/** Why a call with these inputs cannot run natively, or undefined when it can. */
export function unsupportedInputs(inputs: (TensorInfo | undefined)[]): string | undefined {
  for (const input of inputs) {
    if (input === undefined) continue;
    if (input.dtype !== 'float32') return `dtype ${input.dtype} (native kernels take float32)`;
    if (util.sizeFromShape(input.shape) === 0) return 'an empty input';
  }
  return undefined;
}
