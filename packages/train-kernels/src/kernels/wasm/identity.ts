import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-backend';

/**
 * `Identity` on wasm without a copy: the output shares the input's heap data (one more reference),
 * as tfjs-wasm's own `Reshape` and the cpu and webgpu backends' `Identity` do. tfjs-wasm 4.22's
 * copies it, and the engine runs it for every tensor it keeps for a backward pass (about 1,600
 * copies in one training step of the default model). No kernel writes into its inputs, so sharing
 * is safe. Strings go to the kernel this replaces (`fallback`).
 */
export function identityWasm(fallback?: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string' && fallback) return fallback.kernelFunc(args);
      (args.backend as unknown as WasmBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}
