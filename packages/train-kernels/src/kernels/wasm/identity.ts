import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-backend';

/**
 * `Identity` on wasm without a copy: the output shares the input's heap data (one more reference),
 * as tfjs-wasm's own `Reshape` (strings included) and the cpu and webgpu backends' `Identity` do.
 * tfjs-wasm 4.22's copies it, and the engine runs it for every tensor it keeps for a backward pass
 * (about 1,600 copies in one training step of the default model). No kernel writes into its
 * inputs, so sharing is safe.
 */
export const identityWasm: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const x = inputs.x as tf.TensorInfo;
    (backend as unknown as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  },
};
