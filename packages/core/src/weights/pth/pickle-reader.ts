import { RcnnError } from '../../errors/rcnn-error';

const MAX_INTEGER_BYTES = 1024;

/** Bounds-checked reads of pickle operands; every failure is RcnnError('INVALID_WEIGHTS'). */
export class PickleReader {
  /** Offset of the next byte to read. */
  position: number;
  /** Offset of the opcode being executed, for error messages. */
  opcodeAt: number;
  private readonly view: DataView;
  private readonly latin1 = new TextDecoder('latin1');
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(
    readonly bytes: Uint8Array,
    start: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = start;
    this.opcodeAt = start;
  }

  invalid(message: string): RcnnError {
    return new RcnnError('INVALID_WEIGHTS', `pickle: ${message} (byte ${this.opcodeAt})`);
  }

  /** Advances past `count` bytes and returns where they start. */
  need(count: number): number {
    if (!(count >= 0 && this.position + count <= this.bytes.length)) {
      throw this.invalid('unexpected end of data (truncated)');
    }
    const at = this.position;
    this.position += count;
    return at;
  }
  take(count: number): Uint8Array {
    const at = this.need(count);
    return this.bytes.subarray(at, at + count);
  }
  u8(): number {
    return this.bytes[this.need(1)]!;
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  /** A 64-bit length; anything longer than the file is corruption. */
  u64(): number {
    const value = this.view.getBigUint64(this.need(8), true);
    if (value > BigInt(this.bytes.length)) throw this.invalid('length field larger than the file');
    return Number(value);
  }
  float64BigEndian(): number {
    return this.view.getFloat64(this.need(8), false);
  }
  /** A newline-terminated text operand (protocol 0 style), without the newline. */
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw this.invalid('unterminated text field');
    const text = this.latin1.decode(this.bytes.subarray(this.position, end));
    this.position = end + 1;
    return text;
  }
  utf8Text(count: number): string {
    const raw = this.take(count);
    try {
      return this.utf8.decode(raw);
    } catch {
      throw this.invalid('string is not valid UTF-8');
    }
  }
  latin1Text(count: number): string {
    return this.latin1.decode(this.take(count));
  }
  /** Little-endian two's-complement integer of `count` bytes (LONG1/LONG4). */
  signedInteger(count: number): number | bigint {
    if (count > MAX_INTEGER_BYTES) throw this.invalid('integer too large');
    const raw = this.take(count);
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw.length > 0 && raw[raw.length - 1]! & 0x80) value -= 1n << BigInt(raw.length * 8);
    return narrowInteger(value);
  }
  /** A decimal text integer (INT, LONG, PUT, GET), Python 2's trailing `L` allowed. */
  decimal(what: string, source = this.line()): bigint {
    const digits = source.endsWith('L') ? source.slice(0, -1) : source;
    if (!/^[-+]?\d{1,4000}$/.test(digits)) throw this.invalid(`malformed ${what} ${JSON.stringify(source)}`);
    return BigInt(digits);
  }
}

/** Python ints become numbers when exact, bigints otherwise. */
export function narrowInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}
