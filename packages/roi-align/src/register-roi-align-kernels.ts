import * as tf from '@tensorflow/tfjs-core';
import { roiAlignCpuConfig, roiAlignGradCpuConfig } from './kernels/cpu/roi-align';
import { roiPoolCpuConfig, roiPoolGradCpuConfig } from './kernels/cpu/roi-pool';
import { roiAlignGradWasmConfig, roiAlignWasmConfig } from './kernels/wasm/roi-align';
import { roiPoolGradWasmConfig, roiPoolWasmConfig } from './kernels/wasm/roi-pool';
import { roiAlignGradWebgpuConfig, roiAlignWebgpuConfig } from './kernels/webgpu/roi-align';
import { roiAlignGradConfig } from './roi-align-grad';
import { roiPoolGradConfig } from './roi-pool-grad';

/** Backends this package has kernels for. */
export type RoiAlignBackendName = 'cpu' | 'wasm' | 'webgpu';

const KERNELS: Record<RoiAlignBackendName, tf.KernelConfig[]> = {
  cpu: [roiAlignCpuConfig, roiAlignGradCpuConfig, roiPoolCpuConfig, roiPoolGradCpuConfig],
  wasm: [roiAlignWasmConfig, roiAlignGradWasmConfig, roiPoolWasmConfig, roiPoolGradWasmConfig],
  // RoIPool has no WGSL kernel: on webgpu it runs the composed reference.
  webgpu: [roiAlignWebgpuConfig, roiAlignGradWebgpuConfig],
};

/**
 * Registers the RoIAlign / RoIPool kernels (and their gradients) for `backends`. Safe to
 * call more than once; registering for a backend that is not installed is harmless (tfjs
 * keys kernels by backend name). `@rcnn/roi-align` calls it for every backend on import;
 * `@rcnn/roi-align/base` leaves it to you. Without a kernel, the ops run their composed
 * references (correct, slower).
 */
export function registerRoiAlignKernels(
  backends: readonly RoiAlignBackendName[] = ['cpu', 'wasm', 'webgpu'],
): void {
  for (const backend of backends) {
    for (const config of KERNELS[backend]) {
      if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
    }
  }
  for (const gradient of [roiAlignGradConfig, roiPoolGradConfig]) {
    if (tf.getGradient(gradient.kernelName) === undefined) tf.registerGradient(gradient);
  }
}
