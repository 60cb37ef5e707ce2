import type { RoiPoolAttrs } from '../../kernel-names';

/**
 * RoIPool forward and backward loops over typed arrays (cpu and wasm kernels), following
 * torchvision/csrc/ops/cpu/roi_pool_kernel.cpp: box corners rounded to feature cells
 * (half away from zero), bins quantized with floor/ceil in float32, max per bin; an empty
 * bin pools 0. The backward pass recomputes each bin's argmax (first maximum in row-major
 * order, as torchvision) instead of storing it.
 */

const LOWEST_FLOAT32 = -3.4028234663852886e38;

function roundHalfAwayFromZero(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** `[start, end)` feature cells of every bin along one axis of one box. */
function binEdges(start: number, end: number, bins: number, size: number, edges: Int32Array): void {
  const extent = Math.max(end - start + 1, 1);
  const binSize = Math.fround(extent / bins);
  for (let p = 0; p < bins; p++) {
    const from = Math.floor(Math.fround(p * binSize)) + start;
    const to = Math.ceil(Math.fround((p + 1) * binSize)) + start;
    edges[2 * p] = Math.min(Math.max(from, 0), size);
    edges[2 * p + 1] = Math.min(Math.max(to, 0), size);
  }
}

interface PoolGeometry {
  rows: Int32Array;
  cols: Int32Array;
}

function prepareBox(
  r: number,
  boxes: Float32Array,
  attrs: RoiPoolAttrs,
  height: number,
  width: number,
  geometry: PoolGeometry,
): void {
  const scale = Math.fround(attrs.spatialScale);
  const corner = (i: number) => roundHalfAwayFromZero(Math.fround(boxes[r * 4 + i]! * scale));
  binEdges(corner(0), corner(2), attrs.outputWidth, width, geometry.cols);
  binEdges(corner(1), corner(3), attrs.outputHeight, height, geometry.rows);
}

/** Visits every bin of box `r`: `visit(outputOffset, rowStart, rowEnd, colStart, colEnd)`. */
function forEachBin(
  r: number,
  attrs: RoiPoolAttrs,
  channels: number,
  geometry: PoolGeometry,
  visit: (o: number, h0: number, h1: number, w0: number, w1: number) => void,
): void {
  for (let ph = 0; ph < attrs.outputHeight; ph++) {
    for (let pw = 0; pw < attrs.outputWidth; pw++) {
      const o = ((r * attrs.outputHeight + ph) * attrs.outputWidth + pw) * channels;
      visit(
        o,
        geometry.rows[2 * ph]!,
        geometry.rows[2 * ph + 1]!,
        geometry.cols[2 * pw]!,
        geometry.cols[2 * pw + 1]!,
      );
    }
  }
}

/** Forward RoIPool into `out [R, outH, outW, C]` (every element written). `features` is `[B, H, W, C]`. */
export function roiPoolForward(
  features: Float32Array,
  shape: readonly [number, number, number, number],
  boxes: Float32Array,
  batchIndices: Int32Array,
  attrs: RoiPoolAttrs,
  out: Float32Array,
): void {
  const [batch, height, width, channels] = shape;
  const geometry = {
    rows: new Int32Array(2 * attrs.outputHeight),
    cols: new Int32Array(2 * attrs.outputWidth),
  };
  for (let r = 0; r < batchIndices.length; r++) {
    const b = batchIndices[r]!;
    const size = attrs.outputHeight * attrs.outputWidth * channels;
    out.fill(0, r * size, (r + 1) * size);
    if (b < 0 || b >= batch) continue;
    prepareBox(r, boxes, attrs, height, width, geometry);
    forEachBin(r, attrs, channels, geometry, (o, h0, h1, w0, w1) => {
      if (h1 <= h0 || w1 <= w0) return;
      out.fill(LOWEST_FLOAT32, o, o + channels);
      for (let h = h0; h < h1; h++) {
        for (let w = w0; w < w1; w++) {
          const p = ((b * height + h) * width + w) * channels;
          for (let c = 0; c < channels; c++)
            if (features[p + c]! > out[o + c]!) out[o + c] = features[p + c]!;
        }
      }
    });
  }
}

/** Backward RoIPool: adds `dy [R, outH, outW, C]` at each bin's argmax into `gradient` (zeroed by the caller). */
export function roiPoolBackward(
  dy: Float32Array,
  features: Float32Array,
  shape: readonly [number, number, number, number],
  boxes: Float32Array,
  batchIndices: Int32Array,
  attrs: RoiPoolAttrs,
  gradient: Float32Array,
): void {
  const [batch, height, width, channels] = shape;
  const geometry = {
    rows: new Int32Array(2 * attrs.outputHeight),
    cols: new Int32Array(2 * attrs.outputWidth),
  };
  const best = new Float32Array(channels);
  const argmax = new Int32Array(channels);
  for (let r = 0; r < batchIndices.length; r++) {
    const b = batchIndices[r]!;
    if (b < 0 || b >= batch) continue;
    prepareBox(r, boxes, attrs, height, width, geometry);
    forEachBin(r, attrs, channels, geometry, (o, h0, h1, w0, w1) => {
      if (h1 <= h0 || w1 <= w0) return;
      best.fill(LOWEST_FLOAT32);
      argmax.fill(-1);
      for (let h = h0; h < h1; h++) {
        for (let w = w0; w < w1; w++) {
          const p = ((b * height + h) * width + w) * channels;
          for (let c = 0; c < channels; c++) {
            if (features[p + c]! > best[c]!) {
              best[c] = features[p + c]!;
              argmax[c] = p + c;
            }
          }
        }
      }
      for (let c = 0; c < channels; c++) if (argmax[c]! >= 0) gradient[argmax[c]!]! += dy[o + c];
    });
  }
}
