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
}

/**
 * Folds torchvision's `ops/misc.py::FrozenBatchNorm2d` (eps 1e-5 in torchvision 0.14) into the
 * convolution before it: with `scale = w * rsqrt(runningVar + eps)` and `shift = b - runningMean * scale`,
 * `norm(conv(x)) = conv'(x)` where `W'[o] = W[o] * scale[o]` and `bias' = bias * scale + shift`.
 * scale is computed in float32 as torch does (rsqrt of the float32 sum), so the folded weights
 * differ from torchvision's separate multiply only by one rounding per element.
 * @returns new arrays; the inputs are not modified.
 */
export function foldFrozenBatchNorm(
  conv: TorchConvWeights,
  norm: FrozenBatchNorm,
  epsilon: number,
): Required<TorchConvWeights> {
  const [outChannels] = conv.shape;
  const perOutput = conv.weight.length / outChannels;
  const weight = new Float32Array(conv.weight.length);
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const scale = Math.fround(norm.weight[o]! / Math.sqrt(Math.fround(norm.runningVar[o]! + epsilon)));
    const shift = Math.fround(norm.bias[o]! - Math.fround(norm.runningMean[o]! * scale));
    bias[o] = (conv.bias?.[o] ?? 0) * scale + shift;
    for (let i = o * perOutput; i < (o + 1) * perOutput; i++) weight[i] = conv.weight[i]! * scale;
  }
  return { weight, shape: conv.shape, bias };
}

/**
 * Torch `[O, I, kH, kW]` to TF.js `[kH, kW, I, O]` (HWIO), done once at load time.
 * @returns a new array.
 */
export function oihwToHwio(
  weight: Float32Array,
  shape: readonly [number, number, number, number],
): Float32Array {
  const [outChannels, inChannels, kernelHeight, kernelWidth] = shape;
  const out = new Float32Array(weight.length);
  let source = 0;
  for (let o = 0; o < outChannels; o++) {
    for (let i = 0; i < inChannels; i++) {
      for (let y = 0; y < kernelHeight; y++) {
        for (let x = 0; x < kernelWidth; x++) {
          out[((y * kernelWidth + x) * inChannels + i) * outChannels + o] = weight[source++]!;
        }
      }
    }
  }
  return out;
}
