import type { MergedAxis } from './merged-axis';
import type { LevelData } from './roi-align-loops';

/**
 * The innermost loops over channels (NHWC: contiguous) for average pooling. Indices are
 * element offsets; `cols` holds a bin's merged columns from `colStart`.
 */

/** `out[o + c] += wy * sum_j wx_j * level[rowBase + col_j * C + c]` for every channel c. */
export type AccumulateRow = (
  level: number,
  o: number,
  rowBase: number,
  cols: MergedAxis,
  colStart: number,
  wy: number,
) => void;

/** `gradient[rowBase + col_j * C + c] += dy[o + c] * wy * wx_j` for every channel c. */
export type ScatterRow = (o: number, rowBase: number, cols: MergedAxis, colStart: number, wy: number) => void;

/**
 * JavaScript channel loops into `out`, four columns per pass (each output element is loaded
 * and stored once per four feature reads), unrolled by four channels.
 */
export function jsAccumulateRow(
  out: Float32Array,
  levels: readonly LevelData[],
  channels: number,
): AccumulateRow {
  return (level, o, rowBase, cols, colStart, wy) => {
    const data = levels[level]!.data;
    const end = colStart + cols.count[colStart / cols.stride]!;
    for (let k = colStart; k < end; k += 4) {
      // Missing columns of the last group read column k with weight 0.
      const p0 = rowBase + cols.index[k]! * channels;
      const p1 = k + 1 < end ? rowBase + cols.index[k + 1]! * channels : p0;
      const p2 = k + 2 < end ? rowBase + cols.index[k + 2]! * channels : p0;
      const p3 = k + 3 < end ? rowBase + cols.index[k + 3]! * channels : p0;
      const w0 = wy * cols.weight[k]!;
      const w1 = k + 1 < end ? wy * cols.weight[k + 1]! : 0;
      const w2 = k + 2 < end ? wy * cols.weight[k + 2]! : 0;
      const w3 = k + 3 < end ? wy * cols.weight[k + 3]! : 0;
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        const a = w0 * data[p0 + c]! + w1 * data[p1 + c]! + w2 * data[p2 + c]! + w3 * data[p3 + c]!;
        const b =
          w0 * data[p0 + c + 1]! + w1 * data[p1 + c + 1]! + w2 * data[p2 + c + 1]! + w3 * data[p3 + c + 1]!;
        const d =
          w0 * data[p0 + c + 2]! + w1 * data[p1 + c + 2]! + w2 * data[p2 + c + 2]! + w3 * data[p3 + c + 2]!;
        const e =
          w0 * data[p0 + c + 3]! + w1 * data[p1 + c + 3]! + w2 * data[p2 + c + 3]! + w3 * data[p3 + c + 3]!;
        out[o + c]! += a;
        out[o + c + 1]! += b;
        out[o + c + 2]! += d;
        out[o + c + 3]! += e;
      }
      for (; c < channels; c++) {
        out[o + c]! += w0 * data[p0 + c]! + w1 * data[p1 + c]! + w2 * data[p2 + c]! + w3 * data[p3 + c]!;
      }
    }
  };
}

/** JavaScript scatter of `dy` into `gradient`, one column per pass. */
export function jsScatterRow(gradient: Float32Array, dy: Float32Array, channels: number): ScatterRow {
  return (o, rowBase, cols, colStart, wy) => {
    const end = colStart + cols.count[colStart / cols.stride]!;
    for (let k = colStart; k < end; k++) {
      const p = rowBase + cols.index[k]! * channels;
      const w = wy * cols.weight[k]!;
      for (let c = 0; c < channels; c++) gradient[p + c]! += dy[o + c]! * w;
    }
  };
}
