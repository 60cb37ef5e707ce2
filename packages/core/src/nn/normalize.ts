import * as tf from '@tensorflow/tfjs-core';

/** What {@link normalize} normalizes over and scales by. */
export interface NormalizeOptions {
  /** `x` viewed in this shape for the statistics (GroupNorm: `[B, H, W, G, C/G]`; BatchNorm: x's own). */
  readonly view: readonly number[];
  /** Axes of `view` the mean and biased variance are taken over. */
  readonly axes: readonly number[];
  /** `[C]` per-channel scale and shift (x's last axis). */
  readonly weight: tf.Tensor;
  readonly bias: tf.Tensor;
  readonly eps: number;
  /** Receives the batch mean and biased variance (`view`'s shape reduced, kept dims); no gradient flows through them. */
  readonly onStatistics?: (mean: tf.Tensor, variance: tf.Tensor) => void;
}

/**
 * `y = (x - mean) * rsqrt(variance + eps) * weight + bias`, the statistics over `axes` of `x`
 * viewed as `view`, with the gradient written out in the closed form torch uses for its norms:
 * `dx = rstd * (dxHat - mean(dxHat) - xHat * mean(dxHat * xHat))`, `dxHat = dy * weight`. That is
 * 13 kernels backward where tfjs's automatic gradient of the moments takes 31 (GroupNorm; reshapes
 * and copies not counted). Caller owns the result.
 */
export function normalize(x: tf.Tensor4D, options: NormalizeOptions): tf.Tensor4D {
  const { view, axes, eps, onStatistics } = options;
  const shape = [...view];
  const reduced = [...axes];
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, weight, bias] = args as [tf.Tensor4D, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    // The engine runs this in a tidy: what is neither returned nor saved is released.
    const viewed = tf.reshape(input, shape);
    const { mean, variance } = tf.moments(viewed, reduced, true);
    onStatistics?.(mean, variance);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xHat = tf.mul(tf.sub(viewed, mean), rstd);
    save([xHat, rstd, weight]);
    return {
      value: tf.add(tf.mul(tf.reshape(xHat, input.shape), weight), bias) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [normalized, inverseStd, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const flatXHat = tf.reshape(normalized, input.shape);
        const dWeight = tf.sum(tf.mul(dy, flatXHat), [0, 1, 2]);
        const dBias = tf.sum(dy, [0, 1, 2]);
        const dXHat = tf.reshape(tf.mul(dy, scale), shape);
        const meanDXHat = tf.mean(dXHat, reduced, true);
        const meanDXHatXHat = tf.mean(tf.mul(dXHat, normalized), reduced, true);
        const centered = tf.sub(tf.sub(dXHat, meanDXHat), tf.mul(normalized, meanDXHatXHat));
        return [tf.reshape(tf.mul(centered, inverseStd), input.shape), dWeight, dBias];
      },
    };
  });
  return op(x, options.weight, options.bias) as tf.Tensor4D;
}
