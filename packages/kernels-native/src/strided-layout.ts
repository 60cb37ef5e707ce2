/** Dimensions the addon's elementwise kernels take (native/kernels.h `kRank`). */
export const NATIVE_RANK = 6;

/** One dimension of an iteration: its size and, per operand, its stride in elements. */
export interface StridedDim {
  size: number;
  strides: number[];
}

/** Row-major strides of `shape`, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i]!;
  }
  return strides;
}

/**
 * Drops size-1 dimensions and merges neighbours that every operand walks contiguously (outer
 * stride = inner stride x inner size), so the innermost native loop is as long as possible; then
 * pads to {@link NATIVE_RANK} with leading size-1 dimensions.
 * @param dims the iteration, outermost first, `operands` strides each
 * @returns `[sizes, stridesOfOperand0, stridesOfOperand1, ...]` of NATIVE_RANK numbers each, or
 *   undefined when more than NATIVE_RANK dimensions remain
 */
export function compactLayout(dims: readonly StridedDim[], operands: number): number[][] | undefined {
  const kept: StridedDim[] = [];
  for (const dim of dims) {
    if (dim.size === 1) continue;
    const previous = kept[kept.length - 1];
    if (previous?.strides.every((stride, k) => stride === dim.strides[k]! * dim.size)) {
      previous.size *= dim.size;
      previous.strides = [...dim.strides];
    } else {
      kept.push({ size: dim.size, strides: [...dim.strides] });
    }
  }
  if (kept.length > NATIVE_RANK) return undefined;
  while (kept.length < NATIVE_RANK) kept.unshift({ size: 1, strides: new Array(operands).fill(0) });
  return [
    kept.map((d) => d.size),
    ...Array.from({ length: operands }, (_, k) => kept.map((d) => d.strides[k]!)),
  ];
}
