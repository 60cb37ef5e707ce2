import { advance, assembleModule, type FunctionSpec, I32, V128, w, whileLess } from './wasm-encoder';

/** Rows and columns of one register tile of {@link GemmOps.gemmPanels}. */
export const TILE_ROWS = 4;
export const TILE_COLUMNS = 8;

/**
 * The SIMD loops, run in place on tfjs-backend-wasm's heap. Pointers and strides are byte
 * offsets into the backend's memory.
 */
export interface GemmOps {
  /**
   * `C += A B` over packed panels: A as `rowPanels` panels of `[kc][4]` floats (`apStride` bytes
   * apart), B as `colPanels` panels of `[kc][8]` floats (`bpStride` bytes apart), C row-major with
   * `ldc` bytes per row, `4 rowPanels x 8 colPanels` floats updated. A 4x8 tile of f32x4
   * accumulators stays in registers over the whole `kc` loop; B panels are the outer loop so one
   * (kc x 8) panel stays in L1 while every row panel streams past it.
   */
  gemmPanels(
    ap: number,
    apStride: number,
    bp: number,
    bpStride: number,
    c: number,
    ldc: number,
    rowPanels: number,
    colPanels: number,
    kc: number,
  ): void;
  /** `target[i] += source[i]` for `4 groups` floats. */
  addInto(target: number, source: number, groups: number): void;
  /** Copies `groups` 4-float groups from contiguous `source` to `target`, `targetStride` bytes apart (packing). */
  copyGroups(target: number, targetStride: number, source: number, groups: number): void;
}

function gemmPanels(): FunctionSpec {
  // params: ap 0, apStride 1, bp 2, bpStride 3, c 4, ldc 5, rowPanels 6, colPanels 7, kc 8
  // locals: jp 9, ip 10, pa 11, pb 12, end 13, cp 14 (i32); acc 15..22, b0 23, b1 24, a 25 (v128)
  const [jp, ip, pa, pb, end, cp] = [9, 10, 11, 12, 13, 14];
  const acc = (n: number) => 15 + n;
  const [b0, b1, a] = [23, 24, 25];
  const multiplyAdd: number[] = [
    ...w.get(pb),
    ...w.v128Load(0),
    ...w.set(b0),
    ...w.get(pb),
    ...w.v128Load(16),
    ...w.set(b1),
  ];
  for (let r = 0; r < TILE_ROWS; r++) {
    multiplyAdd.push(...w.get(pa), ...w.f32Load(4 * r), ...w.f32x4Splat, ...w.set(a));
    for (let h = 0; h < 2; h++) {
      const target = acc(2 * r + h);
      multiplyAdd.push(...w.get(target), ...w.get(a), ...w.get(h === 0 ? b0 : b1));
      multiplyAdd.push(...w.f32x4Mul, ...w.f32x4Add, ...w.set(target));
    }
  }
  multiplyAdd.push(...advance(pa, w.i32(16)), ...advance(pb, w.i32(32)));
  const writeBack: number[] = [];
  for (let r = 0; r < TILE_ROWS; r++) {
    for (let h = 0; h < 2; h++) {
      writeBack.push(...w.get(cp), ...w.get(cp), ...w.v128Load(16 * h), ...w.get(acc(2 * r + h)));
      writeBack.push(...w.f32x4Add, ...w.v128Store(16 * h));
    }
    writeBack.push(...advance(cp, w.get(5)));
  }
  const tile = [
    ...[...w.get(0), ...w.get(ip), ...w.get(1), ...w.i32Mul, ...w.i32Add, ...w.set(pa)],
    ...[...w.get(2), ...w.get(jp), ...w.get(3), ...w.i32Mul, ...w.i32Add, ...w.tee(pb)],
    ...[...w.get(8), ...w.i32(5), ...w.i32Shl, ...w.i32Add, ...w.set(end)],
    ...Array.from({ length: 8 }, (_, n) => [...w.v128Zero, ...w.set(acc(n))]).flat(),
    ...whileLess(pb, end, multiplyAdd),
    ...[...w.get(4), ...w.get(ip), ...w.get(5), ...w.i32(2), ...w.i32Shl, ...w.i32Mul, ...w.i32Add],
    ...[...w.get(jp), ...w.i32(5), ...w.i32Shl, ...w.i32Add, ...w.set(cp)],
    ...writeBack,
    ...advance(ip, w.i32(1)),
  ];
  const body = whileLess(jp, 7, [
    ...w.i32(0),
    ...w.set(ip),
    ...whileLess(ip, 6, tile),
    ...advance(jp, w.i32(1)),
  ]);
  return {
    name: 'gemmPanels',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [
      [6, I32],
      [11, V128],
    ],
    body,
  };
}

function addInto(): FunctionSpec {
  // params: target 0, source 1, groups 2; locals: offset 3, end 4
  const body = [
    ...[...w.get(2), ...w.i32(4), ...w.i32Shl, ...w.set(4)],
    ...whileLess(3, 4, [
      ...[...w.get(0), ...w.get(3), ...w.i32Add, ...w.get(0), ...w.get(3), ...w.i32Add, ...w.v128Load()],
      ...[...w.get(1), ...w.get(3), ...w.i32Add, ...w.v128Load(), ...w.f32x4Add, ...w.v128Store()],
      ...advance(3, w.i32(16)),
    ]),
  ];
  return { name: 'addInto', params: [I32, I32, I32], locals: [[2, I32]], body };
}

function copyGroups(): FunctionSpec {
  // params: target 0, targetStride 1, source 2, groups 3; locals: end 4
  const body = [
    ...[...w.get(2), ...w.get(3), ...w.i32(4), ...w.i32Shl, ...w.i32Add, ...w.set(4)],
    ...whileLess(2, 4, [
      ...[...w.get(0), ...w.get(2), ...w.v128Load(), ...w.v128Store()],
      ...advance(0, w.get(1)),
      ...advance(2, w.i32(16)),
    ]),
  ];
  return { name: 'copyGroups', params: [I32, I32, I32, I32], locals: [[1, I32]], body };
}

/** The module's bytes (a few hundred). */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  return assembleModule([gemmPanels(), addInto(), copyGroups()]);
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, GemmOps>();

/**
 * The SIMD loops bound to `memory`, or undefined where the engine lacks SIMD, compiling is
 * refused (a Content-Security-Policy without 'wasm-unsafe-eval') or the memory is shared
 * (tfjs's threaded build). Callers then run the same arithmetic as JavaScript loops.
 */
export function gemmOps(memory: WebAssembly.Memory | undefined): GemmOps | undefined {
  if (!memory || (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer))
    return undefined;
  if (compiled === undefined) {
    const bytes = gemmModuleBytes();
    try {
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return undefined;
  let ops = instances.get(memory);
  if (!ops) {
    ops = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as GemmOps;
    instances.set(memory, ops);
  }
  return ops;
}
