import type { AccumulateRow, ScatterRow } from '../shared/channel-loops';
import type { SimdChannelOps } from './simd-module';

/**
 * AccumulateRow / ScatterRow on the wasm heap through the SIMD module. Pointers are byte
 * offsets: `outPointer` of the output (or `dyPointer` of dy), `levelPointers[l]` of each
 * level's features, `gradientPointer` of the gradient. `channels` must be a multiple of 4.
 */
export function simdAccumulateRow(
  ops: SimdChannelOps,
  outPointer: number,
  levelPointers: readonly number[],
  channels: number,
): AccumulateRow {
  const groups = channels >> 2;
  const step = channels * 4;
  return (level, o, rowBase, cols, colStart, wy) => {
    const out = outPointer + o * 4;
    const row = levelPointers[level]! + rowBase * 4;
    const end = colStart + cols.count[colStart / cols.stride]!;
    let k = colStart;
    for (; end - k >= 3; k += 4) {
      // Three columns use the four-column loop with a zero-weight fourth (one wasted read).
      const a = row + cols.index[k]! * step;
      const b = row + cols.index[k + 1]! * step;
      const c = row + cols.index[k + 2]! * step;
      const four = end - k >= 4;
      const d = four ? row + cols.index[k + 3]! * step : a;
      const w3 = four ? wy * cols.weight[k + 3]! : 0;
      ops.accumulate4(
        out,
        a,
        b,
        c,
        d,
        wy * cols.weight[k]!,
        wy * cols.weight[k + 1]!,
        wy * cols.weight[k + 2]!,
        w3,
        groups,
      );
    }
    if (end - k === 2) {
      const a = row + cols.index[k]! * step;
      ops.accumulate2(
        out,
        a,
        row + cols.index[k + 1]! * step,
        wy * cols.weight[k]!,
        wy * cols.weight[k + 1]!,
        groups,
      );
    } else if (end - k === 1) {
      const a = row + cols.index[k]! * step;
      ops.accumulate2(out, a, a, wy * cols.weight[k]!, 0, groups);
    }
  };
}

export function simdScatterRow(
  ops: SimdChannelOps,
  dyPointer: number,
  gradientPointer: number,
  channels: number,
): ScatterRow {
  const groups = channels >> 2;
  const step = channels * 4;
  return (o, rowBase, cols, colStart, wy) => {
    const values = dyPointer + o * 4;
    const row = gradientPointer + rowBase * 4;
    const end = colStart + cols.count[colStart / cols.stride]!;
    let k = colStart;
    for (; end - k >= 2; k += 2) {
      const a = row + cols.index[k]! * step;
      ops.scatter2(
        values,
        a,
        row + cols.index[k + 1]! * step,
        wy * cols.weight[k]!,
        wy * cols.weight[k + 1]!,
        groups,
      );
    }
    if (k < end) ops.scatter1(values, row + cols.index[k]! * step, wy * cols.weight[k]!, groups);
  };
}
