import * as tf from '@tensorflow/tfjs-core';

/** How a parameter starts before any weights are loaded. Matches the torchvision module's own init. */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'uniform'; readonly bound: number }
  | { readonly kind: 'normal'; readonly std: number };

/**
 * One trainable weight of a head: its torchvision state_dict name (relative to the module's
 * prefix), the torch shape it is saved with, the tfjs variable it lives in (in the layout the
 * kernel wants: linear `[in, out]`, conv HWIO, ...), and the one-time conversion between them.
 */
export interface Parameter {
  /** Local torchvision name, e.g. `fc6.weight` or `0.0.weight`. */
  readonly name: string;
  /** Older torchvision names accepted on load (e.g. `mask_fcn1.weight`). */
  readonly aliases: readonly string[];
  readonly torchShape: readonly number[];
  readonly variable: tf.Variable;
  /** torch-layout data (length = prod(torchShape)) -> tfjs-layout data (length = prod(variable.shape)). */
  readonly fromTorch: (data: Float32Array) => Float32Array;
}

/** Builds a trainable variable of `shape` filled by `init` (seeded when `seed` is given). */
export function createVariable(shape: readonly number[], init: Initializer, seed?: number): tf.Variable {
  return tf.tidy(() => {
    const dims = [...shape];
    let value: tf.Tensor;
    if (init.kind === 'zeros') value = tf.zeros(dims);
    else if (init.kind === 'uniform')
      value = tf.randomUniform(dims, -init.bound, init.bound, 'float32', seed);
    else value = tf.randomNormal(dims, 0, init.std, 'float32', seed);
    return tf.variable(value, true);
  });
}
