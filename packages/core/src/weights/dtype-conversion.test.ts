import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { float16Stored, narrowFloat16, widenFloat16 } from './dtype-conversion';
import { readSafetensors, writeSafetensors } from './safetensors';

/** Values and their IEEE half bits, as numpy's `np.float32(v).astype(np.float16)` gives them. */
const KNOWN: readonly [number, number][] = [
  [1, 0x3c00],
  [-2, 0xc000],
  [-0, 0x8000],
  [1 / 3, 0x3555],
  [0.1, 0x2e66],
  [65504, 0x7bff], // largest half
  [65519.98828125, 0x7bff], // just below the rounding boundary
  [65520, 0x7c00], // halfway to 2^16 rounds (to even) to infinity
  [1e5, 0x7c00],
  [-1e5, 0xfc00],
  [2 ** -14, 0x0400], // smallest normal
  [2 ** -14 - 2 ** -25, 0x0400], // largest subnormal + half an ulp: ties to even, carries into the exponent
  [2 ** -24, 0x0001], // smallest subnormal
  [2 ** -25, 0x0000], // halfway to zero: ties to even (zero)
  [2.980232594040899e-8, 0x0001], // just above halfway
  [3 * 2 ** -26, 0x0001],
  [2 ** -26, 0x0000],
  [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next half: even (1)
  [1 + 3 * 2 ** -11, 0x3c02], // halfway between odd and even neighbours: even (up)
  [Number.POSITIVE_INFINITY, 0x7c00],
  [Number.NEGATIVE_INFINITY, 0xfc00],
];

describe('narrowFloat16', () => {
  it('gives the known bit patterns: rounding to nearest even, subnormals, overflow to infinity', () => {
    const bits = narrowFloat16(Float32Array.from(KNOWN.map(([value]) => value)));
    expect([...bits].map((bit) => bit.toString(16))).toEqual(KNOWN.map(([, bit]) => bit.toString(16)));
    const nan = narrowFloat16(Float32Array.of(Number.NaN))[0]!;
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });

  it('is the exact inverse of widening for every finite half', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    expect(narrowFloat16(widenFloat16(all))).toEqual(all);
  });

  it('picks the nearer neighbour for values between halves', () => {
    const values = Float32Array.from(
      { length: 2000 },
      (_, i) => Math.sin(i * 12.9898) * 2 ** ((i % 40) - 26),
    );
    const widened = widenFloat16(narrowFloat16(values));
    for (const [i, value] of values.entries()) {
      const error = Math.abs(widened[i]! - value);
      // Half an ulp of the half at that magnitude (2^-24 spacing among subnormals).
      const exponent = Math.max(Math.floor(Math.log2(Math.abs(value) || 2 ** -30)), -14);
      expect(error).toBeLessThanOrEqual(2 ** (exponent - 11));
    }
  });

  it('refuses finite values that would overflow, naming the tensor', () => {
    expect(() => float16Stored(Float32Array.of(1, 70000), 'rpn.head.conv.0.0.weight')).toThrowError(
      /tensor "rpn\.head\.conv\.0\.0\.weight" holds 70000, beyond float16's range/,
    );
    expect(() => float16Stored(Float32Array.of(65519), 'ok')).not.toThrow();
  });
});

describe('writeSafetensors with floatDtype float16', () => {
  it('stores float32 tensors as F16 (other dtypes as they are) and reads them back widened', () => {
    const tensors = new Map([
      ['w', { dtype: 'float32' as const, shape: [2, 2], data: Float32Array.of(1, 1 / 3, -(2 ** -24), 1e-9) }],
      ['n', { dtype: 'int32' as const, shape: [1], data: Int32Array.of(7) }],
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt' }, { floatDtype: 'float16' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.w).toEqual({ dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] });
    expect(header.n).toEqual({ dtype: 'I32', shape: [1], data_offsets: [8, 12] });
    const back = readSafetensors(bytes);
    expect([...back.tensors.get('w')!.data]).toEqual([1, 0.333251953125, -(2 ** -24), 0]);
    expect([...back.tensors.get('n')!.data]).toEqual([7]);
    expect(back.metadata).toEqual({ format: 'pt' });
  });

  it('throws an RcnnError instead of writing infinity', () => {
    const tensors = new Map([
      ['big', { dtype: 'float32' as const, shape: [1], data: Float32Array.of(-1e6) }],
    ]);
    expect(() => writeSafetensors(tensors, undefined, { floatDtype: 'float16' })).toThrowError(RcnnError);
  });
});
