import { Inflate } from 'fflate';
import { RcnnError } from '../../errors/rcnn-error';
import { crc32 } from './crc32';

/**
 * A read-only view of a zip archive (the container of torch.save since torch 1.6).
 * Only the central directory is trusted (torch writes sizes as data descriptors, so
 * local headers hold zeros); every offset is checked against the buffer before use.
 * STORED entries are returned as zero-copy views of the input, DEFLATE entries are
 * inflated with fflate; both are CRC-32 checked, so a flipped bit is an error, not a
 * silently different weight.
 */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

function invalid(message: string): RcnnError {
  return new RcnnError('INVALID_WEIGHTS', `zip: ${message}`);
}

/** Reads fields with bounds checks; any read past the end means a truncated or corrupt archive. */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  check(offset: number, length: number, what: string): void {
    if (!(offset >= 0 && offset + length <= this.bytes.byteLength)) {
      throw invalid(`${what} at byte ${offset} runs past the end of the ${this.bytes.byteLength}-byte file`);
    }
  }
  u16(offset: number): number {
    this.check(offset, 2, 'field');
    return this.view.getUint16(offset, true);
  }
  u32(offset: number): number {
    this.check(offset, 4, 'field');
    return this.view.getUint32(offset, true);
  }
  u64(offset: number): number {
    this.check(offset, 8, 'field');
    const value = this.view.getBigUint64(offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`64-bit field at byte ${offset} is too large`);
    return Number(value);
  }
}

function findEndOfCentralDirectory(reader: Reader): number {
  const length = reader.bytes.byteLength;
  const lowest = Math.max(0, length - 22 - 0xffff); // the record is followed by at most a 64 KiB comment
  for (let offset = length - 22; offset >= lowest; offset--) {
    if (reader.u32(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw invalid('no end-of-central-directory record (truncated file, or not a zip archive)');
}

/** Lists every entry by name. Throws INVALID_WEIGHTS on any structural inconsistency. */
export function readZipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  const reader = new Reader(bytes);
  const end = findEndOfCentralDirectory(reader);
  let count = reader.u16(end + 10);
  let directorySize = reader.u32(end + 12);
  let directoryOffset = reader.u32(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    if (end < 20 || reader.u32(end - 20) !== ZIP64_LOCATOR) throw invalid('zip64 locator missing');
    const zip64End = reader.u64(end - 20 + 8);
    if (reader.u32(zip64End) !== ZIP64_END) throw invalid('zip64 end-of-central-directory record missing');
    count = reader.u64(zip64End + 32);
    directorySize = reader.u64(zip64End + 40);
    directoryOffset = reader.u64(zip64End + 48);
  }
  reader.check(directoryOffset, directorySize, 'central directory');
  if (count * 46 > directorySize)
    throw invalid(`${count} entries cannot fit a ${directorySize}-byte directory`);
  const entries = new Map<string, ZipEntry>();
  const names = new TextDecoder('utf-8');
  let cursor = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (reader.u32(cursor) !== CENTRAL_HEADER) throw invalid(`central directory entry ${i} is corrupt`);
    const flags = reader.u16(cursor + 8);
    const method = reader.u16(cursor + 10);
    const crc = reader.u32(cursor + 16);
    let compressedSize = reader.u32(cursor + 20);
    let size = reader.u32(cursor + 24);
    const nameLength = reader.u16(cursor + 28);
    const extraLength = reader.u16(cursor + 30);
    const commentLength = reader.u16(cursor + 32);
    let localHeaderOffset = reader.u32(cursor + 42);
    reader.check(cursor + 46, nameLength + extraLength, 'entry name');
    const name = names.decode(bytes.subarray(cursor + 46, cursor + 46 + nameLength));
    if (flags & 1) throw new RcnnError('UNSUPPORTED', `zip: entry "${name}" is encrypted`);
    // zip64 extra field (id 1): the saturated 32-bit fields, in this order.
    let extra = cursor + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = reader.u16(extra);
      const length = reader.u16(extra + 2);
      if (id === 1) {
        let field = extra + 4;
        if (size === 0xffffffff) {
          size = reader.u64(field);
          field += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = reader.u64(field);
          field += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = reader.u64(field);
      }
      extra += 4 + length;
    }
    entries.set(name, { name, method, crc, compressedSize, size, localHeaderOffset });
    cursor = extraEnd + commentLength;
  }
  return entries;
}

/**
 * The uncompressed bytes of `entry`, CRC-checked. STORED data is a view into `bytes`
 * (no copy: callers copy what they keep); DEFLATE data is a new array.
 * @param declaredSize the size the entry must not exceed by other metadata (a storage's
 *   `numel * element size` from the pickle), checked before anything is inflated.
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, declaredSize?: number): Uint8Array {
  const reader = new Reader(bytes);
  const header = entry.localHeaderOffset;
  if (reader.u32(header) !== LOCAL_HEADER) throw invalid(`local header of "${entry.name}" is corrupt`);
  const start = header + 30 + reader.u16(header + 26) + reader.u16(header + 28);
  reader.check(start, entry.compressedSize, `data of "${entry.name}"`);
  if (declaredSize !== undefined && entry.size > declaredSize) {
    throw invalid(
      `entry "${entry.name}" is ${entry.size} bytes by the archive's directory, but the pickle declares ` +
        `a ${declaredSize}-byte storage for it (corrupt or forged file)`,
    );
  }
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size)
      throw invalid(`stored entry "${entry.name}" has mismatched sizes`);
    data = raw;
  } else if (entry.method === 8) {
    // DEFLATE expands at most ~1032x; a larger recorded size is corruption, not data.
    if (entry.size > entry.compressedSize * 1032 + 1024)
      throw invalid(`entry "${entry.name}" has an impossible size`);
    data = inflateBounded(raw, entry);
  } else {
    throw new RcnnError('UNSUPPORTED', `zip: entry "${entry.name}" uses compression method ${entry.method}`);
  }
  if (crc32(data) !== entry.crc) throw invalid(`entry "${entry.name}" fails its CRC-32 check (corrupt file)`);
  return data;
}

/** Compressed bytes inflated per step: one step makes at most ~1032x this (16.5 MB). */
const INPUT_SLICE = 16 * 1024;

/**
 * Inflates as a stream into a buffer that grows with the data up to `entry.size` (the
 * directory's uncompressed size) and stops at the first byte beyond it: a deflate bomb
 * costs at most the recorded size plus one step, whatever it would expand to.
 */
function inflateBounded(raw: Uint8Array, entry: ZipEntry): Uint8Array {
  let out = new Uint8Array(Math.min(entry.size, 1 << 20));
  let written = 0;
  const stream = new Inflate((chunk) => {
    if (written + chunk.length > entry.size) {
      throw invalid(
        `entry "${entry.name}" inflates to more than the ${entry.size} bytes the archive records ` +
          `(deflate bomb or corrupt file); stopped after ${written + chunk.length} bytes`,
      );
    }
    if (written + chunk.length > out.length) {
      const grown = new Uint8Array(Math.min(entry.size, Math.max(out.length * 2, written + chunk.length)));
      grown.set(out.subarray(0, written));
      out = grown;
    }
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    for (let start = 0; start < raw.length; start += INPUT_SLICE) {
      stream.push(raw.subarray(start, start + INPUT_SLICE), start + INPUT_SLICE >= raw.length);
    }
    if (raw.length === 0) stream.push(raw, true);
  } catch (error) {
    if (error instanceof RcnnError) throw error;
    throw new RcnnError('INVALID_WEIGHTS', `zip: entry "${entry.name}" does not inflate`, { cause: error });
  }
  if (written !== entry.size) throw invalid(`entry "${entry.name}" inflates to fewer bytes than recorded`);
  return out;
}
