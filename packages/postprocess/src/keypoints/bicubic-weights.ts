const f32 = Math.fround;

/** torch's cubic convolution constant (upsample_bicubic2d, Keys 1981 with a = -0.75). */
const A = -0.75;

/** Cubic convolution kernel for |x| <= 1. */
function nearKernel(x: number): number {
  return f32(f32(f32(f32(f32(f32(A + 2) * x) - f32(A + 3)) * x) * x) + 1);
}

/** Cubic convolution kernel for 1 < |x| < 2. */
function farKernel(x: number): number {
  return f32(f32(f32(f32(f32(f32(A * x) - f32(5 * A)) * x) + f32(8 * A)) * x) - f32(4 * A));
}

/** Four source indices and weights per output pixel along one axis. */
export interface CubicAxisWeights {
  /** `[outputSize * 4]` source indices, clamped to `[0, inputSize - 1]` (torch's border handling). */
  readonly indices: Int32Array;
  /** `[outputSize * 4]` float32 weights. */
  readonly weights: Float32Array;
}

/**
 * Interpolation taps for resizing one axis from `inputSize` to `outputSize` pixels as
 * torch's `F.interpolate(mode='bicubic', align_corners=False)` does on CPU: source
 * position `scale * (i + 0.5) - 0.5` (not clamped, unlike bilinear), taps at
 * floor(src) - 1 .. floor(src) + 2 with indices clamped at the borders, weights from the
 * cubic convolution kernel with A = -0.75, all in float32.
 */
export function cubicAxisWeights(inputSize: number, outputSize: number): CubicAxisWeights {
  const scale = f32(inputSize / outputSize);
  const indices = new Int32Array(outputSize * 4);
  const weights = new Float32Array(outputSize * 4);
  for (let i = 0; i < outputSize; i++) {
    const source = f32(scale * (i + 0.5) - 0.5);
    const floor = Math.floor(source);
    const t = f32(source - floor);
    const rest = f32(1 - t);
    weights[i * 4] = farKernel(f32(t + 1));
    weights[i * 4 + 1] = nearKernel(t);
    weights[i * 4 + 2] = nearKernel(rest);
    weights[i * 4 + 3] = farKernel(f32(rest + 1));
    for (let k = 0; k < 4; k++) indices[i * 4 + k] = Math.min(Math.max(floor - 1 + k, 0), inputSize - 1);
  }
  return { indices, weights };
}
