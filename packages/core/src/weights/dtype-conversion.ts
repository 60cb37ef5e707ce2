import { RcnnError } from '../errors/rcnn-error';

/** IEEE half floats to float32 (exact). */
export function widenFloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) out[i] = fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[i] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}

/**
 * float32 to IEEE half floats, rounding to nearest, ties to even (as numpy's and torch's
 * `.half()`): values beyond the largest half (65504, or from 65520 up after rounding) become
 * infinity, values below half the smallest subnormal (2^-25) become signed zero, NaN stays NaN.
 * @returns the half floats' bits, one per value
 */
export function narrowFloat16(values: Float32Array): Uint16Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const sign = (word >>> 16) & 0x8000;
    const exponent = (word >>> 23) & 0xff;
    const mantissa = word & 0x7fffff;
    const halfExponent = exponent - 112; // rebias: 127 (float32) -> 15 (half)
    let magnitude: number;
    if (exponent === 0xff) magnitude = mantissa ? 0x7e00 | (mantissa >>> 13) : 0x7c00;
    else if (halfExponent >= 31) magnitude = 0x7c00;
    else if (halfExponent > 0) {
      magnitude = roundedShift((halfExponent << 23) | mantissa, 13);
    } else if (halfExponent >= -10) {
      // Subnormal half: the significand with its implicit bit, in units of 2^-24.
      magnitude = roundedShift(mantissa | 0x800000, 14 - halfExponent);
    } else magnitude = 0;
    out[i] = sign | magnitude;
  }
  return out;
}

/**
 * {@link narrowFloat16} for writing a tensor: a finite value that would become infinity is an
 * error naming the tensor (weights that large do not belong in a half-float file).
 * @throws RcnnError `UNSUPPORTED`
 */
export function float16Stored(values: Float32Array, name: string): Uint16Array {
  const half = narrowFloat16(values);
  for (let i = 0; i < half.length; i++) {
    if ((half[i]! & 0x7fff) === 0x7c00 && Number.isFinite(values[i]!)) {
      throw new RcnnError(
        'UNSUPPORTED',
        `tensor "${name}" holds ${values[i]}, beyond float16's range (largest 65504), which would become infinity: keep it float32`,
      );
    }
  }
  return half;
}

/** `value >> shift`, rounded to nearest, ties to even (a carry moves into the exponent, as it should). */
function roundedShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** bfloat16 (the top 16 bits of a float32) to float32 (exact). */
export function widenBfloat16(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = bits[i]! << 16;
  return new Float32Array(wide.buffer);
}

/** int64 to int32; a value outside int32 is an error naming the tensor. */
export function narrowInt64(values: BigInt64Array, name: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 2147483647n || v < -2147483648n) {
      throw new RcnnError('UNSUPPORTED', `tensor "${name}" holds int64 value ${v} outside the int32 range`);
    }
    out[i] = Number(v);
  }
  return out;
}
