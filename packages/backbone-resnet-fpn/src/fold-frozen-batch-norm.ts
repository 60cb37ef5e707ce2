import { torchToTfjsLayout } from '@rcnn/core';
/** FrozenBatchNorm2d's four buffers for C channels. */
export interface FrozenBatchNorm {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly runningMean: Float32Array;
  readonly runningVar: Float32Array;
}

/** A convolution's weights in torch layout: `[O, I/groups, kH, kW]` weight and optional `[O]` bias. */
export interface TorchConvWeights {
  readonly weight: Float32Array;
  readonly shape: readonly [number, number, number, number];
  readonly bias?: Float32Array;
  /** `[O]` factors each output channel's filter is multiplied by (a folded norm's scale); none: 1. */
  readonly outputScale?: Float32Array;
}

/**
 * Folds torchvision's `ops/misc.py::FrozenBatchNorm2d` (eps 1e-5 in torchvision 0.14) into the
 * convolution before it: with `scale = w * rsqrt(runningVar + eps)` and `shift = b - runningMean * scale`,
 * `norm(conv(x)) = conv'(x)` where `W'[o] = W[o] * scale[o]` and `bias' = bias * scale + shift`.
 * scale and shift are rounded to float32 at the same steps as torch's float32 arithmetic.
 * @returns the conv with `outputScale = scale` (applied to W once, when the filter is transposed
 *   to HWIO by {@link oihwToHwio}) and the folded bias; `weight` is the input array, not copied.
 */
export function foldFrozenBatchNorm(
  conv: TorchConvWeights,
  norm: FrozenBatchNorm,
  epsilon: number,
): Required<TorchConvWeights> {
  const [outChannels] = conv.shape;
  const outputScale = new Float32Array(outChannels);
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const scale = Math.fround(norm.weight[o]! / Math.sqrt(Math.fround(norm.runningVar[o]! + epsilon)));
    const shift = Math.fround(norm.bias[o]! - Math.fround(norm.runningMean[o]! * scale));
    outputScale[o] = (conv.outputScale?.[o] ?? 1) * scale;
    bias[o] = (conv.bias?.[o] ?? 0) * scale + shift;
  }
  return { weight: conv.weight, shape: conv.shape, bias, outputScale };
}

/**
 * Torch `[O, I, kH, kW]` to TF.js `[kH, kW, I, O]` (HWIO), each output channel `o` multiplied by
 * `outputScale[o]` first (the folded BatchNorm scale); done once at load time with core's
 * cache-blocked layout conversion.
 * @returns a new array.
 */
export function oihwToHwio(
  weight: Float32Array,
  shape: readonly [number, number, number, number],
  outputScale?: Float32Array,
): Float32Array {
  if (!outputScale) return torchToTfjsLayout(weight, shape);
  const perOutput = shape[1] * shape[2] * shape[3];
  const scaled = new Float32Array(weight.length);
  for (let o = 0; o < shape[0]; o++) {
    const scale = outputScale[o]!;
    for (let k = o * perOutput; k < (o + 1) * perOutput; k++) scaled[k] = weight[k]! * scale;
  }
  return torchToTfjsLayout(scaled, shape);
}
