/**
 * Just enough of the WebAssembly binary format to assemble small SIMD modules at run time
 * (no toolchain, no binary blobs in the package): value types, the opcodes the kernels use,
 * and a module writer that imports one memory as `env.memory` and exports functions.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128 (for `i32.const`). */
export function sleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const simd = (code: number) => [0xfd, ...uleb(code)];
/** memarg: alignment exponent, then a constant byte offset folded into the access. */
const memarg = (align: number, offset: number) => [align, ...uleb(offset)];

/** Instructions, each returning its bytes. Locals are numbered params first. */
export const w = {
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32LtU: [0x49],
  i32Eqz: [0x45],
  f32Load: (offset = 0) => [0x2a, ...memarg(2, offset)],
  v128Load: (offset = 0) => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...memarg(4, offset)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Splat: simd(0x13),
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  br: (depth: number) => [0x0c, ...uleb(depth)],
};

/**
 * `block { loop { if (!(counter < end)) break; body; continue } }`. The condition is tested
 * first, so zero iterations are fine; `body` must advance `counter` itself.
 */
export function whileLess(counter: number, end: number, body: number[]): number[] {
  return [
    0x02,
    0x40,
    0x03,
    0x40,
    ...w.get(counter),
    ...w.get(end),
    ...w.i32GeU,
    ...w.brIf(1),
    ...body,
    ...w.br(0),
    0x0b,
    0x0b,
  ];
}

/** `local += step` (i32). */
export const advance = (local: number, step: number[]) => [
  ...w.get(local),
  ...step,
  ...w.i32Add,
  ...w.set(local),
];

/** One exported function: parameter types, extra locals as [count, type] runs, body. */
export interface FunctionSpec {
  name: string;
  params: number[];
  locals: [number, number][];
  body: number[];
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const text = (value: string) => vector([...value].map((ch) => [ch.charCodeAt(0)]));

/** A module importing `env.memory` (min 0 pages) and exporting `functions` (no results). */
export function assembleModule(functions: readonly FunctionSpec[]): Uint8Array<ArrayBuffer> {
  const types = section(1, vector(functions.map((f) => [0x60, ...vector(f.params.map((p) => [p])), 0x00])));
  const imports = section(2, vector([[...text('env'), ...text('memory'), 0x02, 0x00, 0x00]]));
  const declarations = section(3, vector(functions.map((_, index) => uleb(index))));
  const exports = section(7, vector(functions.map((f, index) => [...text(f.name), 0x00, ...uleb(index)])));
  const bodies = functions.map((f) => {
    const code = [...vector(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([
    ...header,
    ...types,
    ...imports,
    ...declarations,
    ...exports,
    ...section(10, vector(bodies)),
  ]);
}
