import type { TensorInfo } from '@tensorflow/tfjs-core';
import { TILE_COLUMNS, TILE_ROWS } from './gemm-module';
import { HeapScratch, heapFloats, simdOf, type WasmBackend } from './wasm-backend';

/** Depth of one packed block: a 4-row A panel block (kc x 4 floats) and an 8-column B panel fit L1. */
const DEPTH_BLOCK = 256;
/** Row panels per call: a (128 x 256) block of A stays in L2 while every B panel passes. */
const ROW_PANELS_PER_CALL = 32;

/**
 * Writes one depth block of a packed operand at `dest` (float index): for A, `ceil(m / 4)`
 * panels of `[depth][4]` floats (rows past `m` zero); for B, `ceil(n / 8)` panels of
 * `[depth][8]` floats (columns past `n` zero). `k0` is the block's first depth index.
 */
export type Packer = (heap: Float32Array, dest: number, k0: number, depth: number) => void;

/** `C = A B` (or `C += A B`), `A` m x k and `B` k x n given by packers. */
export interface GemmProblem {
  m: number;
  n: number;
  k: number;
  packA: Packer;
  packB: Packer;
}

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/**
 * Runs `problem` on the wasm heap into `c` (float index, `ldc` floats per row), with the SIMD
 * panel kernel where available (else the same loops in JavaScript). Packs depth blocks of A and
 * B into heap scratch; writes C directly when its shape is a multiple of the register tile,
 * through a padded scratch otherwise.
 * @param anchor any tensor on the backend (used to view the heap after allocating)
 */
export function runGemm(
  backend: WasmBackend,
  anchor: TensorInfo,
  problem: GemmProblem,
  c: number,
  ldc: number,
  accumulate = false,
): void {
  const { m, n, k } = problem;
  if (m === 0 || n === 0) return;
  const mPad = roundUp(m, TILE_ROWS);
  const nPad = roundUp(n, TILE_COLUMNS);
  const depthBlock = Math.min(Math.max(k, 1), DEPTH_BLOCK);
  const scratch = new HeapScratch(backend);
  try {
    const direct = mPad === m && nPad === n;
    const ap = scratch.floats(mPad * depthBlock);
    const bp = scratch.floats(nPad * depthBlock);
    const target = direct ? c : scratch.floats(mPad * nPad);
    const targetStride = direct ? ldc : nPad;
    const heap = heapFloats(backend, anchor);
    if (direct && !accumulate) for (let i = 0; i < m; i++) heap.fill(0, c + i * ldc, c + i * ldc + n);
    if (!direct) heap.fill(0, target, target + mPad * nPad);
    const ops = simdOf(backend);
    const panels = ops?.gemmPanels ?? ((...args: number[]) => gemmPanelsJs(heap, ...(args as Nine)));
    const rowPanels = mPad / TILE_ROWS;
    const colPanels = nPad / TILE_COLUMNS;
    for (let k0 = 0; k0 < k; k0 += depthBlock) {
      const depth = Math.min(depthBlock, k - k0);
      problem.packA(heap, ap, k0, depth);
      problem.packB(heap, bp, k0, depth);
      for (let r0 = 0; r0 < rowPanels; r0 += ROW_PANELS_PER_CALL) {
        const rows = Math.min(ROW_PANELS_PER_CALL, rowPanels - r0);
        panels(
          4 * (ap + r0 * depth * TILE_ROWS),
          4 * depth * TILE_ROWS,
          4 * bp,
          4 * depth * TILE_COLUMNS,
          4 * (target + r0 * TILE_ROWS * targetStride),
          4 * targetStride,
          rows,
          colPanels,
          depth,
        );
      }
    }
    if (!direct) {
      for (let i = 0; i < m; i++) {
        const from = target + i * nPad;
        const to = c + i * ldc;
        if (accumulate) for (let j = 0; j < n; j++) heap[to + j]! += heap[from + j];
        else heap.copyWithin(to, from, from + n);
      }
    }
  } finally {
    scratch.dispose();
  }
}

type Nine = [number, number, number, number, number, number, number, number, number];

/**
 * The panel kernel's arithmetic in JavaScript (byte arguments, as the SIMD export takes them):
 * one tile row at a time with eight scalar accumulators, which V8 keeps in registers.
 */
function gemmPanelsJs(
  heap: Float32Array,
  ap: number,
  apStride: number,
  bp: number,
  bpStride: number,
  c: number,
  ldc: number,
  rowPanels: number,
  colPanels: number,
  depth: number,
): void {
  const rowStride = ldc >>> 2;
  for (let jp = 0; jp < colPanels; jp++) {
    const b0 = (bp + jp * bpStride) >>> 2;
    for (let ip = 0; ip < rowPanels; ip++) {
      const a0 = (ap + ip * apStride) >>> 2;
      const base = (c >>> 2) + ip * TILE_ROWS * rowStride + jp * TILE_COLUMNS;
      for (let r = 0; r < TILE_ROWS; r++) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let s4 = 0;
        let s5 = 0;
        let s6 = 0;
        let s7 = 0;
        for (let kk = 0, a = a0 + r, b = b0; kk < depth; kk++, a += TILE_ROWS, b += TILE_COLUMNS) {
          const v = heap[a]!;
          s0 += v * heap[b]!;
          s1 += v * heap[b + 1]!;
          s2 += v * heap[b + 2]!;
          s3 += v * heap[b + 3]!;
          s4 += v * heap[b + 4]!;
          s5 += v * heap[b + 5]!;
          s6 += v * heap[b + 6]!;
          s7 += v * heap[b + 7]!;
        }
        const row = base + r * rowStride;
        heap[row]! += s0;
        heap[row + 1]! += s1;
        heap[row + 2]! += s2;
        heap[row + 3]! += s3;
        heap[row + 4]! += s4;
        heap[row + 5]! += s5;
        heap[row + 6]! += s6;
        heap[row + 7]! += s7;
      }
    }
  }
}

/**
 * Packer for a strided A: element (i, kk) at `heap[source + i * rowStride + kk * depthStride]`.
 */
export function stridedPackA(m: number, source: number, rowStride: number, depthStride: number): Packer {
  return (heap, dest, k0, depth) => {
    const mPad = roundUp(m, TILE_ROWS);
    for (let i = 0; i < mPad; i++) {
      let out = dest + (i >> 2) * depth * TILE_ROWS + (i & 3);
      if (i >= m) {
        for (let kk = 0; kk < depth; kk++, out += TILE_ROWS) heap[out] = 0;
        continue;
      }
      let from = source + i * rowStride + k0 * depthStride;
      for (let kk = 0; kk < depth; kk++, out += TILE_ROWS, from += depthStride) heap[out] = heap[from]!;
    }
  };
}

/**
 * Packer for a strided B: element (kk, j) at `heap[source + kk * depthStride + j * columnStride]`.
 */
export function stridedPackB(n: number, source: number, depthStride: number, columnStride: number): Packer {
  return (heap, dest, k0, depth) => {
    const nPad = roundUp(n, TILE_COLUMNS);
    for (let j = 0; j < nPad; j++) {
      let out = dest + (j >> 3) * depth * TILE_COLUMNS + (j & 7);
      if (j >= n) {
        for (let kk = 0; kk < depth; kk++, out += TILE_COLUMNS) heap[out] = 0;
        continue;
      }
      let from = source + k0 * depthStride + j * columnStride;
      for (let kk = 0; kk < depth; kk++, out += TILE_COLUMNS, from += depthStride) heap[out] = heap[from]!;
    }
  };
}
