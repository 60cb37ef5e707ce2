/** How `tf.image.resizeBilinear` maps output pixels to source pixels (its two flags). */
export interface ResizeBilinearMode {
  /** Corner pixels of input and output coincide (torch `align_corners=True`). */
  alignCorners: boolean;
  /** Pixel centres at +0.5 (torch `align_corners=False`); false with `alignCorners` false is tfjs's legacy mapping. */
  halfPixelCenters: boolean;
}

/** Per output index along one axis: the two source indices it reads and the upper one's weight. */
interface AxisTaps {
  low: Int32Array;
  high: Int32Array;
  frac: Float64Array;
}

/**
 * The forward op's sampling along one axis (tfjs-core's resizeBilinear, = torch's
 * `upsample_bilinear2d` in the two torch modes): source = out * scale (align corners: scale
 * (in - 1) / (out - 1); legacy: in / out) or max(0, (out + 0.5) * in / out - 0.5) with half-pixel
 * centres; the lower index is clamped to the last pixel, the upper one to the edge.
 */
function axisTaps(inSize: number, outSize: number, mode: ResizeBilinearMode): AxisTaps {
  const corners = mode.alignCorners && outSize > 1;
  const scale = (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
  const taps: AxisTaps = {
    low: new Int32Array(outSize),
    high: new Int32Array(outSize),
    frac: new Float64Array(outSize),
  };
  for (let o = 0; o < outSize; o++) {
    const source =
      mode.halfPixelCenters && !mode.alignCorners ? Math.max(0, (o + 0.5) * scale - 0.5) : o * scale;
    const low = Math.min(Math.floor(source), inSize - 1);
    taps.low[o] = low;
    taps.high[o] = Math.min(low + 1, inSize - 1);
    taps.frac[o] = source - low;
  }
  return taps;
}

/**
 * The gradient of a bilinear resize: each `dy` value is spread over the (up to) four input pixels
 * its output pixel was interpolated from, with the forward op's weights. Overwrites `dx`.
 * @param dy `[batch, outHeight, outWidth, depth]` NHWC floats at `dyAt` in `dyData`; read only
 * @param dx `[batch, inHeight, inWidth, depth]` NHWC floats at `dxAt` in `dxData` (may be the same
 *   array as `dyData`, e.g. the wasm heap, without overlapping `dy`); written
 */
export function resizeBilinearGradInto(
  dyData: Float32Array,
  dyAt: number,
  dxData: Float32Array,
  dxAt: number,
  inShape: readonly number[],
  outShape: readonly number[],
  mode: ResizeBilinearMode,
): void {
  const [batch, inHeight, inWidth, depth] = inShape as [number, number, number, number];
  const [, outHeight, outWidth] = outShape as [number, number, number];
  dxData.fill(0, dxAt, dxAt + batch * inHeight * inWidth * depth);
  const rows = axisTaps(inHeight, outHeight, mode);
  const cols = axisTaps(inWidth, outWidth, mode);
  const rowStride = inWidth * depth;
  let source = dyAt;
  for (let b = 0; b < batch; b++) {
    const image = dxAt + b * inHeight * rowStride;
    for (let r = 0; r < outHeight; r++) {
      const top = image + rows.low[r]! * rowStride;
      const bottom = image + rows.high[r]! * rowStride;
      const down = rows.frac[r]!;
      const up = 1 - down;
      for (let c = 0; c < outWidth; c++) {
        const right = cols.frac[c]!;
        const left = 1 - right;
        const leftColumn = cols.low[c]! * depth;
        const rightColumn = cols.high[c]! * depth;
        const topLeft = top + leftColumn;
        const topRight = top + rightColumn;
        const bottomLeft = bottom + leftColumn;
        const bottomRight = bottom + rightColumn;
        const wTopLeft = up * left;
        const wTopRight = up * right;
        const wBottomLeft = down * left;
        const wBottomRight = down * right;
        for (let d = 0; d < depth; d++) {
          const g = dyData[source + d]!;
          dxData[topLeft + d]! += g * wTopLeft;
          dxData[topRight + d]! += g * wTopRight;
          dxData[bottomLeft + d]! += g * wBottomLeft;
          dxData[bottomRight + d]! += g * wBottomRight;
        }
        source += depth;
      }
    }
  }
}
