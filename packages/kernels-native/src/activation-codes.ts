/** Activations the native kernels fuse, by tfjs name, with their codes in native/common.cc. */
export const ACTIVATION_CODES: Readonly<Record<string, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  sigmoid: 4,
  elu: 5,
};

/** The code for `activation` (undefined: linear), or undefined when not fused natively (prelu). */
export function activationCode(activation: string | undefined): number | undefined {
  return ACTIVATION_CODES[activation ?? 'linear'];
}
