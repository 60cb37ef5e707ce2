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
