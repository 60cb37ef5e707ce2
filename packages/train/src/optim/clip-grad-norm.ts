import * as tf from '@tensorflow/tfjs-core';

/**
 * Scales gradients so their global L2 norm is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_
 * (torch 1.13, norm_type 2): `total = ||[||g_1||, ..., ||g_n||]||`, every gradient multiplied by
 * `min(maxNorm / (total + 1e-6), 1)` (multiplied even when that is 1, like torch).
 * @param grads gradients (null entries are skipped); not disposed (caller owns them)
 * @returns the clipped gradients (new tensors, null kept in place; caller owns) and the total norm
 *   before clipping (a number; non-finite when a gradient is)
 */
export async function clipGradNorm(
  grads: readonly (tf.Tensor | null)[],
  maxNorm: number,
): Promise<{ grads: (tf.Tensor | null)[]; totalNorm: number }> {
  const present = grads.filter((g): g is tf.Tensor => g !== null);
  if (present.length === 0) return { grads: grads.map(() => null), totalNorm: 0 };
  const [totalTensor, coefficient] = tf.tidy(() => {
    const norms = present.map((g) => tf.norm(g));
    const total = tf.norm(tf.stack(norms));
    const coef = tf.minimum(tf.div(maxNorm, tf.add(total, 1e-6)), 1);
    return [total, coef];
  });
  const clipped = grads.map((g) => (g === null ? null : tf.mul(g, coefficient)));
  const totalNorm = (await totalTensor.data())[0];
  totalTensor.dispose();
  coefficient.dispose();
  return { grads: clipped, totalNorm };
}
