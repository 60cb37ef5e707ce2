import * as tf from '@tensorflow/tfjs-core';

/**
 * Comparison and logical kernels: piecewise constant (or boolean) outputs, so the gradient with
 * respect to every input is zero, as torch treats them (no grad_fn). tfjs-core 4.22 registers
 * none for these (it does for GreaterEqual), so any path through e.g. `tf.where(tf.less(...))`
 * or `tf.cast(tf.greater(...))` fails with "gradient function not found for Less".
 */
const ZERO_GRADIENT_KERNELS: Record<string, readonly string[]> = {
  [tf.Less]: ['a', 'b'],
  [tf.LessEqual]: ['a', 'b'],
  [tf.Greater]: ['a', 'b'],
  [tf.Equal]: ['a', 'b'],
  [tf.NotEqual]: ['a', 'b'],
  [tf.LogicalAnd]: ['a', 'b'],
  [tf.LogicalOr]: ['a', 'b'],
  [tf.LogicalXor]: ['a', 'b'],
  [tf.LogicalNot]: ['x'],
};

/** Zero `GradConfig`s for the kernels above (float32 zeros shaped like each input). */
export const zeroGradientConfigs: tf.GradConfig[] = Object.entries(ZERO_GRADIENT_KERNELS).map(
  ([kernelName, inputs]) => ({
    kernelName,
    inputsToSave: [...inputs],
    gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      Object.fromEntries(inputs.map((name, i) => [name, () => tf.zeros(saved[i]!.shape, 'float32')])),
  }),
);
