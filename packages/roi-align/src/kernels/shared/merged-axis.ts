import type { AxisSamples } from './axis-samples';

/**
 * For average pooling, a bin's sum over its `grid x grid` sampling points is separable:
 * sum_points w_y * w_x * f[y][x] = sum_rows sum_cols W_row * W_col * f[row][col], where
 * W_row adds the weights every point gives that row (and likewise for columns). Merging
 * duplicate rows/columns first reads each feature cell once per bin: with 2 x 2 points a bin
 * touches 9 to 16 cells instead of always 16 neighbour reads.
 */
export interface MergedAxis {
  /** Per bin, up to `2 * grid` distinct neighbour indices and their summed weights. */
  index: Int32Array;
  weight: Float64Array;
  /** Distinct entries of each bin. */
  count: Int32Array;
  /** Entries reserved per bin (`2 * grid`). */
  stride: number;
}

export function createMergedAxis(bins: number, grid: number): MergedAxis {
  const stride = Math.max(2 * grid, 1);
  return {
    index: new Int32Array(bins * stride),
    weight: new Float64Array(bins * stride),
    count: new Int32Array(bins),
    stride,
  };
}

function add(merged: MergedAxis, start: number, index: number, weight: number): void {
  if (weight === 0) return;
  const end = start + merged.count[(start / merged.stride) | 0]!;
  for (let k = start; k < end; k++) {
    if (merged.index[k] === index) {
      merged.weight[k]! += weight;
      return;
    }
  }
  merged.index[end] = index;
  merged.weight[end] = weight;
  merged.count[(start / merged.stride) | 0]!++;
}

/** Merges the sampling points of each of `bins` bins (`grid` points each) into distinct neighbours. */
export function mergeAxis(samples: AxisSamples, bins: number, grid: number, merged: MergedAxis): MergedAxis {
  const table =
    merged.count.length >= bins && merged.stride >= 2 * grid ? merged : createMergedAxis(bins, grid);
  for (let p = 0; p < bins; p++) {
    const start = p * table.stride;
    table.count[p] = 0;
    for (let i = 0; i < grid; i++) {
      const k = p * grid + i;
      add(table, start, samples.low[k]!, samples.lowWeight[k]!);
      add(table, start, samples.high[k]!, samples.highWeight[k]!);
    }
  }
  return table;
}
