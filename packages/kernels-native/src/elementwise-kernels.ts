import {
  Add,
  backend_util,
  type DataType,
  Equal,
  Greater,
  GreaterEqual,
  type KernelConfig,
  type KernelFunc,
  Less,
  LessEqual,
  Maximum,
  Mean,
  Minimum,
  Multiply,
  NotEqual,
  RealDiv,
  Slice,
  type SliceAttrs,
  SplitV,
  type SplitVAttrs,
  SquaredDifference,
  Sub,
  Sum,
  type SumAttrs,
  slice_util,
  type TensorInfo,
  Tile,
  type TileAttrs,
  Transpose,
  type TransposeAttrs,
  Unpack,
  type UnpackAttrs,
  util,
} from '@tensorflow/tfjs-core';
import { countFallback, countNative } from './kernel-stats';
import type { NativeAddon } from './native-addon';
import { nativeKernel, type Planner } from './native-kernel';
import { compactLayout, contiguousStrides, type StridedDim } from './strided-layout';
import { heapOf, offsetOf, type WasmBackend } from './wasm-heap';

/** Binary ops by tfjs kernel name, with their codes in native/elementwise.cc. */
const BINARY_CODES: Readonly<Record<string, number>> = {
  [Add]: 0,
  [Sub]: 1,
  [Multiply]: 2,
  [RealDiv]: 3,
  [Maximum]: 4,
  [Minimum]: 5,
  [SquaredDifference]: 6,
};
/** Comparisons (float32 inputs, bool output), codes as in native/elementwise.cc. */
const COMPARISON_CODES: Readonly<Record<string, number>> = {
  [Equal]: 7,
  [NotEqual]: 8,
  [Greater]: 9,
  [GreaterEqual]: 10,
  [Less]: 11,
  [LessEqual]: 12,
};
/** dtypes the copies move (4-byte elements). */
const COPYABLE = new Set<DataType>(['float32', 'int32']);

function binaryPlanner(addon: NativeAddon, code: number): Planner {
  return ({ inputs }, backend) => {
    const { a, b } = inputs as Record<string, TensorInfo>;
    if (a!.dtype !== 'float32' || b!.dtype !== 'float32') return `dtypes ${a!.dtype}, ${b!.dtype}`;
    const shape = backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
    const stridesFor = (input: TensorInfo) => {
      const own = contiguousStrides(input.shape);
      const offset = shape.length - input.shape.length;
      return shape.map((_, i) => (i < offset || input.shape[i - offset] === 1 ? 0 : own[i - offset]!));
    };
    const aStrides = stridesFor(a!);
    const bStrides = stridesFor(b!);
    const layout = compactLayout(
      shape.map((size, i) => ({ size, strides: [aStrides[i]!, bStrides[i]!] })),
      2,
    );
    if (!layout) return `rank of [${shape}] after merging`;
    const at = [offsetOf(backend, a!), offsetOf(backend, b!)];
    return {
      shape,
      dtype: code >= 7 ? 'bool' : 'float32',
      run: (heap, output) => addon.binary(heap, Float64Array.from([code, ...layout.flat(), ...at, output])),
    };
  };
}

function reducePlanner(addon: NativeAddon, mean: boolean): Planner {
  return ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, TensorInfo>;
    const { axis, keepDims } = attrs as unknown as SumAttrs;
    if (x!.dtype !== 'float32') return `dtype ${x!.dtype}`;
    if (util.sizeFromShape(x!.shape) === 0) return 'an empty input';
    const axes = new Set(util.parseAxisParam(axis, x!.shape));
    const reduced = x!.shape.map((_, i) => (axes.has(i) ? 1 : 0));
    // Merge neighbours with the same role; strides stand for the role (0 reduced, 1 kept).
    const dims: StridedDim[] = [];
    for (const [i, size] of x!.shape.entries()) {
      if (size === 1) continue;
      const last = dims[dims.length - 1];
      if (last && last.strides[0] === reduced[i]) last.size *= size;
      else dims.push({ size, strides: [reduced[i]!] });
    }
    if (dims.length > 6) return `rank of [${x!.shape}] after merging`;
    while (dims.length < 6) dims.unshift({ size: 1, strides: [0] });
    const shape = keepDims
      ? x!.shape.map((size, i) => (axes.has(i) ? 1 : size))
      : x!.shape.filter((_, i) => !axes.has(i));
    const params = [mean ? 1 : 0, ...dims.map((d) => d.size), ...dims.map((d) => d.strides[0]!)];
    const at = offsetOf(backend, x!);
    return { shape, run: (heap, output) => addon.reduce(heap, Float64Array.from([...params, at, output])) };
  };
}

/**
 * A planner for an op whose output is a strided view of its input `x`, copied contiguously:
 * `view` gives the output shape, the iteration dims (strides into x) and the element offset.
 */
function copyPlanner(
  addon: NativeAddon,
  view: (
    x: TensorInfo,
    attrs: Record<string, unknown>,
  ) => { shape: number[]; dims: StridedDim[]; start: number },
): Planner {
  return ({ inputs, attrs }, backend) => {
    const { x } = inputs as Record<string, TensorInfo>;
    if (!COPYABLE.has(x!.dtype)) return `dtype ${x!.dtype}`;
    const { shape, dims, start } = view(x!, attrs as Record<string, unknown>);
    const layout = compactLayout(dims, 1);
    if (!layout) return `rank of [${shape}] after merging`;
    const at = offsetOf(backend, x!) + 4 * start;
    return {
      shape,
      dtype: x!.dtype,
      run: (heap, output) => addon.stridedCopy(heap, Float64Array.from([...layout.flat(), at, output])),
    };
  };
}

function tileView(x: TensorInfo, attrs: Record<string, unknown>) {
  const { reps } = attrs as unknown as TileAttrs;
  const strides = contiguousStrides(x.shape);
  const dims: StridedDim[] = [];
  x.shape.forEach((size, i) => {
    if (reps[i]! !== 1) dims.push({ size: reps[i]!, strides: [0] });
    dims.push({ size, strides: [strides[i]!] });
  });
  return { shape: x.shape.map((size, i) => size * reps[i]!), dims, start: 0 };
}

function sliceView(x: TensorInfo, attrs: Record<string, unknown>) {
  const { begin, size } = attrs as unknown as SliceAttrs;
  const [starts, sizes] = slice_util.parseSliceParams(x as never, begin, size);
  const strides = contiguousStrides(x.shape);
  const start = starts.reduce((sum, b, i) => sum + b * strides[i]!, 0);
  return { shape: sizes, dims: sizes.map((s, i) => ({ size: s, strides: [strides[i]!] })), start };
}

function transposeView(x: TensorInfo, attrs: Record<string, unknown>) {
  const { perm } = attrs as unknown as TransposeAttrs;
  const strides = contiguousStrides(x.shape);
  const shape = perm.map((p) => x.shape[p]!);
  return { shape, dims: perm.map((p) => ({ size: x.shape[p]!, strides: [strides[p]!] })), start: 0 };
}

/** One output of a multi-output copy: its shape and where it starts in x (elements). */
interface Piece {
  shape: number[];
  start: number;
}

/** Unpack: each output is x with `axis` fixed. */
function unpackPieces(x: TensorInfo, attrs: Record<string, unknown>): { axis: number; pieces: Piece[] } {
  const given = (attrs as unknown as UnpackAttrs).axis;
  const axis = given < 0 ? given + x.shape.length : given;
  const step = contiguousStrides(x.shape)[axis]!;
  const shape = x.shape.map((size, i) => (i === axis ? 1 : size));
  return { axis, pieces: Array.from({ length: x.shape[axis]! }, (_, j) => ({ shape, start: j * step })) };
}

/** SplitV: consecutive blocks along `axis`. */
function splitPieces(x: TensorInfo, attrs: Record<string, unknown>): { axis: number; pieces: Piece[] } {
  const { numOrSizeSplits, axis: given } = attrs as unknown as SplitVAttrs;
  const axis = util.parseAxisParam(given, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, axis);
  const step = contiguousStrides(x.shape)[axis]!;
  let begin = 0;
  const pieces = sizes.map((size) => {
    const piece = { shape: x.shape.map((s, i) => (i === axis ? size : s)), start: begin * step };
    begin += size;
    return piece;
  });
  return { axis, pieces };
}

/** A multi-output kernel whose outputs are contiguous copies of blocks of `value`/`x`. */
function piecesConfig(
  addon: NativeAddon,
  kernelName: string,
  split: (x: TensorInfo, attrs: Record<string, unknown>) => { axis: number; pieces: Piece[] },
  original?: KernelConfig,
): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const inputs = args.inputs as Record<string, TensorInfo>;
    const x = (inputs.value ?? inputs.x)!;
    const { axis, pieces } = split(x, args.attrs as Record<string, unknown>);
    const strides = contiguousStrides(x.shape);
    const layouts = pieces.map((piece) =>
      compactLayout(
        piece.shape.map((size, i) => ({ size, strides: [strides[i]!] })),
        1,
      ),
    );
    if (!COPYABLE.has(x.dtype) || layouts.some((l) => !l) || util.sizeFromShape(x.shape) === 0) {
      countFallback(kernelName, 'dtype, rank or empty');
      if (original) return original.kernelFunc(args);
      throw new Error(`${kernelName}: no wasm kernel to fall back to`);
    }
    const outputs = pieces.map((piece) =>
      backend.makeOutput(
        kernelName === Unpack ? piece.shape.filter((_, i) => i !== axis) : piece.shape,
        x.dtype,
      ),
    );
    const heap = heapOf(backend);
    const base = offsetOf(backend, x);
    outputs.forEach((output, j) => {
      if (util.sizeFromShape(output.shape) === 0) return;
      const params = [...layouts[j]!.flat(), base + 4 * pieces[j]!.start, offsetOf(backend, output)];
      addon.stridedCopy(heap, Float64Array.from(params));
    });
    countNative(kernelName);
    return outputs;
  };
  const config: KernelConfig = { kernelName, backendName: 'wasm', kernelFunc };
  if (original?.setupFunc) config.setupFunc = original.setupFunc;
  return config;
}

/** Kernel names {@link elementwiseKernelConfigs} serves. */
export const ELEMENTWISE_KERNEL_NAMES = [
  ...Object.keys(BINARY_CODES),
  ...Object.keys(COMPARISON_CODES),
  Sum,
  Mean,
  Tile,
  Slice,
  Transpose,
  Unpack,
  SplitV,
];

/**
 * Memory-bound kernels where tfjs-wasm walks broadcasts and strides element by element: float32
 * binary ops with broadcasting (Add, Sub, Multiply, RealDiv, Maximum, Minimum,
 * SquaredDifference; Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual to bool), Sum and Mean over any axes (accumulated in double), and Tile, Slice,
 * Transpose, Unpack and SplitV of float32/int32 as strided copies. Other dtypes fall back to `originals`.
 */
export function elementwiseKernelConfigs(
  addon: NativeAddon,
  originals: ReadonlyMap<string, KernelConfig>,
): KernelConfig[] {
  return [
    ...Object.entries({ ...BINARY_CODES, ...COMPARISON_CODES }).map(([name, code]) =>
      nativeKernel(name, binaryPlanner(addon, code), originals.get(name)),
    ),
    nativeKernel(Sum, reducePlanner(addon, false), originals.get(Sum)),
    nativeKernel(Mean, reducePlanner(addon, true), originals.get(Mean)),
    nativeKernel(Tile, copyPlanner(addon, tileView), originals.get(Tile)),
    nativeKernel(Slice, copyPlanner(addon, sliceView), originals.get(Slice)),
    nativeKernel(Transpose, copyPlanner(addon, transposeView), originals.get(Transpose)),
    piecesConfig(addon, Unpack, unpackPieces, originals.get(Unpack)),
    piecesConfig(addon, SplitV, splitPieces, originals.get(SplitV)),
  ];
}
