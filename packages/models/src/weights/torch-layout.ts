/**
 * Weight layouts between torch and the tfjs variables of `@rcnn/rpn` and `@rcnn/heads`, for
 * saving (tfjs -> torch) and for loading single entries (torch -> tfjs). Plain loops; exact.
 *
 * - rank 1: the same.
 * - rank 2 (linear): torch `[out, in]`, tfjs `[in, out]`. A linear that reads pooled features
 *   flattened by torch as (C, H, W) is stored with rows in (H, W, C) order (`flattenedFrom`).
 * - rank 4 (conv and conv-transpose alike): torch `[A, B, kH, kW]`, tfjs `[kH, kW, B, A]`
 *   (conv `OIHW` -> `HWIO`; conv-transpose `[in, out, kH, kW]` -> `[kH, kW, out, in]`).
 */

/** `[channels, height, width]` of the pooled features a linear layer reads flattened. */
export type FlattenedFrom = readonly [channels: number, height: number, width: number];

function checkLength(data: Float32Array, count: number): void {
  if (data.length !== count) throw new Error(`layout conversion: ${data.length} values for ${count}`);
}

/**
 * tfjs-layout data of a variable back to torch layout.
 * @param torchShape the shape torch saves the entry with
 */
export function tfjsToTorch(
  data: Float32Array,
  torchShape: readonly number[],
  flattenedFrom?: FlattenedFrom,
): Float32Array {
  const count = torchShape.reduce((n, d) => n * d, 1);
  checkLength(data, count);
  const out = new Float32Array(count);
  if (torchShape.length === 2) {
    const [outFeatures, inFeatures] = torchShape as [number, number];
    if (flattenedFrom) {
      const [channels, height, width] = flattenedFrom;
      const spatial = height * width;
      for (let o = 0; o < outFeatures; o++) {
        for (let c = 0; c < channels; c++) {
          for (let s = 0; s < spatial; s++) {
            out[o * inFeatures + c * spatial + s] = data[(s * channels + c) * outFeatures + o]!;
          }
        }
      }
    } else {
      for (let o = 0; o < outFeatures; o++) {
        for (let i = 0; i < inFeatures; i++) out[o * inFeatures + i] = data[i * outFeatures + o]!;
      }
    }
    return out;
  }
  if (torchShape.length === 4) {
    const [a, b, h, w] = torchShape as [number, number, number, number];
    for (let ia = 0; ia < a; ia++) {
      for (let ib = 0; ib < b; ib++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            out[((ia * b + ib) * h + y) * w + x] = data[((y * w + x) * b + ib) * a + ia]!;
          }
        }
      }
    }
    return out;
  }
  out.set(data);
  return out;
}

/** torch-layout data to the tfjs layout (the inverse of {@link tfjsToTorch}, without flattening). */
export function torchToTfjs(data: Float32Array, torchShape: readonly number[]): Float32Array {
  const count = torchShape.reduce((n, d) => n * d, 1);
  checkLength(data, count);
  const out = new Float32Array(count);
  if (torchShape.length === 2) {
    const [outFeatures, inFeatures] = torchShape as [number, number];
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++) out[i * outFeatures + o] = data[o * inFeatures + i]!;
    }
    return out;
  }
  if (torchShape.length === 4) {
    const [a, b, h, w] = torchShape as [number, number, number, number];
    for (let ia = 0; ia < a; ia++) {
      for (let ib = 0; ib < b; ib++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            out[((y * w + x) * b + ib) * a + ia] = data[((ia * b + ib) * h + y) * w + x]!;
          }
        }
      }
    }
    return out;
  }
  out.set(data);
  return out;
}
