/**
 * One-time conversions of torchvision weight layouts to the layouts tfjs kernels read
 * directly (plain typed-array loops: exact, no tensors). Done at load time so no forward
 * pass transposes a weight (on wasm a matMul with transposeB is ~8x slower).
 */

/** torch linear `[out, in]` -> `[in, out]` (so `x @ w` needs no transpose). */
export function linearToInOut(data: Float32Array, outFeatures: number, inFeatures: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let o = 0; o < outFeatures; o++) {
    for (let i = 0; i < inFeatures; i++) out[i * outFeatures + o] = data[o * inFeatures + i]!;
  }
  return out;
}

/**
 * torch linear `[out, C*H*W]` that reads NCHW-flattened input (torch `x.flatten(1)` on
 * `[N, C, H, W]`) -> `[H*W*C, out]` that reads NHWC-flattened input: row `(h*W + w)*C + c`
 * is torch column `c*H*W + h*W + w`. Same function on the same pooled features.
 */
export function chwLinearToHwcInOut(
  data: Float32Array,
  outFeatures: number,
  [channels, height, width]: readonly [number, number, number],
): Float32Array {
  const spatial = height * width;
  const out = new Float32Array(data.length);
  for (let o = 0; o < outFeatures; o++) {
    const row = o * channels * spatial;
    for (let c = 0; c < channels; c++) {
      for (let s = 0; s < spatial; s++) {
        out[(s * channels + c) * outFeatures + o] = data[row + c * spatial + s]!;
      }
    }
  }
  return out;
}

/** torch conv `[O, I, kH, kW]` -> tfjs conv2d filter `[kH, kW, I, O]` (HWIO). */
export function oihwToHwio(data: Float32Array, [o, i, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let oc = 0; oc < o!; oc++) {
    for (let ic = 0; ic < i!; ic++) {
      for (let y = 0; y < h!; y++) {
        for (let x = 0; x < w!; x++) {
          out[((y * w! + x) * i! + ic) * o! + oc] = data[((oc * i! + ic) * h! + y) * w! + x]!;
        }
      }
    }
  }
  return out;
}

/**
 * torch conv-transpose `[in, out, kH, kW]` -> tfjs conv2dTranspose filter `[kH, kW, out, in]`.
 * Both are the weight of the conv2d whose input gradient the transpose computes, so no flip.
 */
export function convTransposeToHwoi(data: Float32Array, [i, o, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let ic = 0; ic < i!; ic++) {
    for (let oc = 0; oc < o!; oc++) {
      for (let y = 0; y < h!; y++) {
        for (let x = 0; x < w!; x++) {
          out[((y * w! + x) * o! + oc) * i! + ic] = data[((ic * o! + oc) * h! + y) * w! + x]!;
        }
      }
    }
  }
  return out;
}
