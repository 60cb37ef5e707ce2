import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { convKernelConfigs } from './conv-kernels';
import { ELEMENTWISE_KERNEL_NAMES, elementwiseKernelConfigs } from './elementwise-kernels';
import { GATHER_POOL_KERNEL_NAMES, gatherPoolKernelConfigs } from './gather-pool-kernels';
import { matMulKernelConfigs } from './matmul-kernels';
import { loadNativeAddon, type NativeAddonOptions } from './native-addon';

/** Options of {@link registerNativeKernels}. */
export interface NativeKernelsOptions extends NativeAddonOptions {
  /** oneDNN threads (OpenMP); default: `RCNN_NATIVE_THREADS` if set, else every core (`os.availableParallelism()`). */
  threads?: number;
  /**
   * Serve only these tfjs kernel names (e.g. `['Conv2D', 'FusedConv2D']`); default every kernel
   * this package has. Takes effect on the first call after {@link unregisterNativeKernels}.
   */
  kernels?: readonly string[];
}

/** Whether the addon can run here, and if not, why. */
export interface NativeKernelsAvailability {
  available: boolean;
  /** Why not, when not available. */
  reason?: string;
  /** oneDNN's version, when available. */
  version?: string;
}

/** What {@link registerNativeKernels} did. */
export interface NativeKernelsRegistration {
  /** tfjs kernel names now served by oneDNN on the wasm backend (empty when unavailable). */
  native: string[];
  /** Why nothing was registered. */
  reason?: string;
  /** oneDNN's thread count in effect. */
  threads?: number;
  version?: string;
}

/** tfjs-wasm's own configs, by kernel name, kept so unregistering restores them. */
const originals = new Map<string, tf.KernelConfig | undefined>();

/** Reports whether the oneDNN addon loads (never throws). */
export function nativeKernelsAvailable(options: NativeAddonOptions = {}): NativeKernelsAvailability {
  const status = loadNativeAddon(options);
  return status.addon
    ? { available: true, version: status.addon.version() }
    : { available: false, reason: status.reason };
}

/**
 * Registers native kernels for the wasm backend under tfjs's own names, replacing tfjs-wasm's:
 * on oneDNN Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter, BatchMatMul and
 * _FusedMatMul; as plain loops the memory-bound ones tfjs-wasm walks element by element
 * (broadcasting Add, Sub, Multiply, RealDiv, Maximum, Minimum, SquaredDifference; Sum, Mean;
 * Tile, Slice, Transpose, Unpack, SplitV, GatherV2; MaxPoolGrad). Calls the native kernels do
 * not support run the kernel registered before (tfjs-wasm's, or @rcnn/train-kernels'). Call it after
 * importing `@tensorflow/tfjs-backend-wasm`, before or after `setBackend('wasm')`. Safe to
 * call again (only the thread count changes). Never throws: without the addon it registers
 * nothing and says why, and everything keeps running on wasm.
 */
export function registerNativeKernels(options: NativeKernelsOptions = {}): NativeKernelsRegistration {
  const status = loadNativeAddon(options);
  if (!status.addon) return { native: [], reason: status.reason };
  const { addon } = status;
  if (tf.getKernel(tf.Conv2D, 'wasm') === undefined && originals.size === 0) {
    return {
      native: [],
      reason: "tfjs-backend-wasm's kernels are not registered: import '@tensorflow/tfjs-backend-wasm' first",
    };
  }
  const fromEnvironment = Number(process.env.RCNN_NATIVE_THREADS) || undefined;
  const threads = addon.setThreads(
    Math.max(1, Math.floor(options.threads ?? fromEnvironment ?? availableParallelism())),
  );
  if (originals.size === 0) {
    const current = new Map<string, tf.KernelConfig>();
    const names = [
      tf.Conv2D,
      tf.FusedConv2D,
      tf.Conv2DBackpropInput,
      tf.Conv2DBackpropFilter,
      tf.BatchMatMul,
      tf._FusedMatMul,
      ...ELEMENTWISE_KERNEL_NAMES,
      ...GATHER_POOL_KERNEL_NAMES,
    ];
    for (const name of names) {
      const config = tf.getKernel(name, 'wasm');
      originals.set(name, config);
      if (config) current.set(name, config);
    }
    for (const config of [
      ...convKernelConfigs(addon, current),
      ...matMulKernelConfigs(addon, current),
      ...elementwiseKernelConfigs(addon, current),
      ...gatherPoolKernelConfigs(addon, current),
    ]) {
      if (options.kernels && !options.kernels.includes(config.kernelName)) {
        originals.delete(config.kernelName);
        continue;
      }
      if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(config);
    }
  }
  return { native: [...originals.keys()], threads, version: addon.version() };
}

/** Restores tfjs-wasm's kernels replaced by {@link registerNativeKernels}. */
export function unregisterNativeKernels(): void {
  for (const [name, original] of originals) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    if (original) tf.registerKernel(original);
  }
  originals.clear();
}
