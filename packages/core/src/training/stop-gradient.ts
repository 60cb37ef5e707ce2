import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `compute` so autodiff sees a constant (torch `no_grad` / `detach()`; tfjs-core has no
 * stopGradient op): the ops inside run under a custom-gradient node whose only input is a fresh
 * scalar, so nothing they read is connected to the tape. Targets built from predictions (the
 * MaskIoU targets use `greater`, which has no gradient) must be computed this way inside a
 * `tf.variableGrads` (or `variableGradsAsync`) function. Caller owns the result.
 */
export function detached<T extends tf.Tensor>(compute: () => T): T {
  const anchor = tf.scalar(0);
  const run = tf.customGrad(((unused: tf.Tensor) => ({
    value: compute(),
    gradFunc: () => tf.zerosLike(unused),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  const value = run(anchor) as T;
  anchor.dispose();
  return value;
}

/** `x` as a constant for autodiff (torch `x.detach()`). Caller owns the result. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detached(() => tf.clone(x));
}
