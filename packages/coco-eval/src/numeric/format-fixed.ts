/**
 * Formats `value` with `digits` decimals the way Python's `'{:0.3f}'.format` does:
 * from the exact binary value, ties to even (0.0625 -> '0.062'), where JavaScript's
 * `toFixed` rounds ties up ('0.063'). Used for pycocotools' summary lines.
 */
export function formatFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const negative = value < 0 || Object.is(value, -0);
  const { mantissa, exponent } = decompose(Math.abs(value));
  const scale = 10n ** BigInt(digits);
  let rounded: bigint;
  if (exponent >= 0) {
    rounded = (mantissa << BigInt(exponent)) * scale;
  } else {
    const numerator = mantissa * scale;
    const shift = BigInt(-exponent);
    const quotient = numerator >> shift;
    const remainder = numerator - (quotient << shift);
    const half = 1n << (shift - 1n);
    const roundUp = remainder > half || (remainder === half && (quotient & 1n) === 1n);
    rounded = roundUp ? quotient + 1n : quotient;
  }
  const text = rounded.toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

/** Splits a finite non-negative double into an integer mantissa and a power of two. */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fractionBits = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa: fractionBits, exponent: -1074 };
  return { mantissa: fractionBits | (1n << 52n), exponent: biased - 1075 };
}
