/**
 * A tiny WebAssembly SIMD module (assembled here, ~300 bytes) with the channel loops of
 * average-mode RoIAlign, run directly on tfjs-backend-wasm's heap: it imports the backend's
 * own `WebAssembly.Memory`, so features, gradients and outputs are read and written in place
 * by byte offset (no copies). Four channels per f32x4 operation. Used only where the engine
 * validates SIMD and the memory is not shared (tfjs's threaded build); otherwise the wasm
 * kernels run the same JavaScript loops as the cpu kernels.
 */

/** Exported functions. Pointers are byte offsets into the backend's memory; `groups` counts 4-float groups. */
export interface SimdChannelOps {
  /** `out[i] += w0 * a[i] + w1 * b[i] + w2 * c[i] + w3 * d[i]` for `4 * groups` floats. */
  accumulate4(
    out: number,
    a: number,
    b: number,
    c: number,
    d: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    groups: number,
  ): void;
  /** `out[i] += w0 * a[i] + w1 * b[i]`. */
  accumulate2(out: number, a: number, b: number, w0: number, w1: number, groups: number): void;
  /** `a[i] += w0 * values[i]; b[i] += w1 * values[i]` (a and b distinct). */
  scatter2(values: number, a: number, b: number, w0: number, w1: number, groups: number): void;
  /** `a[i] += w0 * values[i]`. */
  scatter1(values: number, a: number, w0: number, groups: number): void;
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const op = {
  localGet: (i: number) => [0x20, i],
  localSet: (i: number) => [0x21, i],
  i32Const: (v: number) => [0x41, v],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  load: [0xfd, 0x00, 0x02, 0x00],
  store: [0xfd, 0x0b, 0x02, 0x00],
  splat: [0xfd, 0x13],
  add: [0xfd, 0xe4, 0x01],
  mul: [0xfd, 0xe6, 0x01],
};

/** `v128.load(pointerLocal + i)` where `i` is local `offset`. */
const loadAt = (pointer: number, offset: number) => [
  ...op.localGet(pointer),
  ...op.localGet(offset),
  ...op.i32Add,
  ...op.load,
];
/** `splat(weight) * load(pointer + i)`. */
const weighted = (weightLocal: number, pointer: number, offset: number) => [
  ...op.localGet(weightLocal),
  ...loadAt(pointer, offset),
  ...op.mul,
];

/**
 * A loop over `groups` 16-byte steps with byte offset in local `i` (end in local `end`):
 * `body` is the statement run per step.
 */
function loop(groupsLocal: number, i: number, end: number, body: number[]): number[] {
  return [
    ...op.localGet(groupsLocal),
    ...op.i32Const(4),
    ...op.i32Shl,
    ...op.localSet(end),
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...op.localGet(i),
    ...op.localGet(end),
    ...op.i32GeU,
    0x0d,
    0x01, // br_if 1 (exit)
    ...body,
    ...op.localGet(i),
    ...op.i32Const(16),
    ...op.i32Add,
    ...op.localSet(i),
    0x0c,
    0x00, // br 0
    0x0b,
    0x0b, // end loop, end block
  ];
}

/** `store(target + i, load(target + i) + sum)` where `sum` leaves one v128 on the stack. */
const addInto = (target: number, i: number, sum: number[]) => [
  ...op.localGet(target),
  ...op.localGet(i),
  ...op.i32Add,
  ...loadAt(target, i),
  ...sum,
  ...op.add,
  ...op.store,
];

/** Each function: params, extra locals (i, end as i32; splatted weights as v128), body. */
function functions() {
  // accumulate4(out 0, a 1, b 2, c 3, d 4, w0 5, w1 6, w2 7, w3 8, groups 9); locals i 10, end 11, s0..s3 12..15
  const acc4Splat = [5, 6, 7, 8].flatMap((w, k) => [...op.localGet(w), ...op.splat, ...op.localSet(12 + k)]);
  const acc4Sum = [
    ...weighted(12, 1, 10),
    ...weighted(13, 2, 10),
    ...op.add,
    ...weighted(14, 3, 10),
    ...weighted(15, 4, 10),
    ...op.add,
    ...op.add,
  ];
  // accumulate2(out 0, a 1, b 2, w0 3, w1 4, groups 5); locals i 6, end 7, s0 8, s1 9
  const acc2Splat = [3, 4].flatMap((w, k) => [...op.localGet(w), ...op.splat, ...op.localSet(8 + k)]);
  // scatter2(values 0, a 1, b 2, w0 3, w1 4, groups 5); locals i 6, end 7, s0 8, s1 9
  // scatter1(values 0, a 1, w0 2, groups 3); locals i 4, end 5, s0 6
  return [
    {
      name: 'accumulate4',
      params: [I32, I32, I32, I32, I32, F32, F32, F32, F32, I32],
      locals: [
        [2, I32],
        [4, V128],
      ] as const,
      body: [...acc4Splat, ...loop(9, 10, 11, addInto(0, 10, acc4Sum))],
    },
    {
      name: 'accumulate2',
      params: [I32, I32, I32, F32, F32, I32],
      locals: [
        [2, I32],
        [2, V128],
      ] as const,
      body: [
        ...acc2Splat,
        ...loop(5, 6, 7, addInto(0, 6, [...weighted(8, 1, 6), ...weighted(9, 2, 6), ...op.add])),
      ],
    },
    {
      name: 'scatter2',
      params: [I32, I32, I32, F32, F32, I32],
      locals: [
        [2, I32],
        [2, V128],
      ] as const,
      body: [
        ...acc2Splat,
        ...loop(5, 6, 7, [...addInto(1, 6, weighted(8, 0, 6)), ...addInto(2, 6, weighted(9, 0, 6))]),
      ],
    },
    {
      name: 'scatter1',
      params: [I32, I32, F32, I32],
      locals: [
        [2, I32],
        [1, V128],
      ] as const,
      body: [
        ...op.localGet(2),
        ...op.splat,
        ...op.localSet(6),
        ...loop(3, 4, 5, addInto(1, 4, weighted(6, 0, 4))),
      ],
    },
  ];
}

function unsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

const section = (id: number, content: number[]) => [id, ...unsigned(content.length), ...content];
const vector = (items: number[][]) => [...unsigned(items.length), ...items.flat()];
const name = (text: string) => vector([...text].map((ch) => [ch.charCodeAt(0)]));

/** The module's bytes: memory imported as `env.memory`, the four functions exported. */
export function simdModuleBytes(): Uint8Array<ArrayBuffer> {
  const list = functions();
  const types = section(1, vector(list.map((f) => [0x60, ...vector(f.params.map((p) => [p])), 0x00])));
  const imports = section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]]));
  const declarations = section(3, vector(list.map((_, index) => unsigned(index))));
  const exports = section(7, vector(list.map((f, index) => [...name(f.name), 0x00, ...unsigned(index)])));
  const bodies = list.map((f) => {
    const code = [...vector(f.locals.map(([count, type]) => [count, type])), ...f.body, 0x0b];
    return [...unsigned(code.length), ...code];
  });
  const code = section(10, vector(bodies));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...declarations,
    ...exports,
    ...code,
  ]);
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdChannelOps>();

/** The SIMD loops bound to `memory`, or undefined where SIMD is unavailable or the memory is shared. */
export function simdChannelOps(memory: WebAssembly.Memory | undefined): SimdChannelOps | undefined {
  if (!memory || (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer))
    return undefined;
  if (compiled === undefined) {
    const bytes = simdModuleBytes();
    try {
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null; // e.g. a Content-Security-Policy without 'wasm-unsafe-eval': use the JS loops
    }
  }
  if (compiled === null) return undefined;
  let ops = instances.get(memory);
  if (!ops) {
    ops = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as SimdChannelOps;
    instances.set(memory, ops);
  }
  return ops;
}
