/**
 * Sampling points of one box along one axis (rows or columns), torchvision's `pre_calc`
 * split per axis: RoIAlign's bilinear weights are a product of a row part and a column
 * part, and a point off the map (`< -1` or `> size`) has both parts zero.
 */
export interface AxisSamples {
  /** Lower and upper neighbour index of each point (`bins * grid` entries). */
  low: Int32Array;
  high: Int32Array;
  /** Weight of the lower neighbour (`1 - frac`) and of the upper one (`frac`); both 0 off the map. */
  lowWeight: Float32Array;
  highWeight: Float32Array;
}

export function createAxisSamples(length: number): AxisSamples {
  return {
    low: new Int32Array(length),
    high: new Int32Array(length),
    lowWeight: new Float32Array(length),
    highWeight: new Float32Array(length),
  };
}

/** torchvision's `count`: the divisor of a bin's sum, at least 1 (a box with no samples pools 0). */
export function countSamples(gridHeight: number, gridWidth: number): number {
  return Math.max(gridHeight * gridWidth, 1);
}

/**
 * Fills the `bins * grid` sampling points starting at `start` (feature pixels) with bins of
 * `binSize`, on an axis of `size` pixels. Float32 arithmetic in torchvision's order:
 * `start + p * bin + (i + 0.5) * bin / grid`. Returns `samples`, or a larger table.
 */
export function fillAxisSamples(
  samples: AxisSamples,
  start: number,
  binSize: number,
  grid: number,
  bins: number,
  size: number,
): AxisSamples {
  const table = samples.low.length >= bins * grid ? samples : createAxisSamples(bins * grid);
  for (let p = 0; p < bins; p++) {
    const binStart = Math.fround(start + Math.fround(p * binSize));
    for (let i = 0; i < grid; i++) {
      const k = p * grid + i;
      let v = Math.fround(binStart + Math.fround(Math.fround((i + 0.5) * binSize) / grid));
      if (!(v >= -1 && v <= size)) {
        table.low[k] = 0;
        table.high[k] = 0;
        table.lowWeight[k] = 0;
        table.highWeight[k] = 0;
        continue;
      }
      if (v <= 0) v = 0;
      let low = Math.floor(v);
      let high = low + 1;
      if (low >= size - 1) {
        low = size - 1;
        high = low;
        v = low;
      }
      const frac = Math.fround(v - low);
      table.low[k] = low;
      table.high[k] = high;
      table.lowWeight[k] = 1 - frac;
      table.highWeight[k] = frac;
    }
  }
  return table;
}
