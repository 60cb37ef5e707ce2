import { RcnnError } from '../errors/rcnn-error';
import { float16Stored, narrowInt64, widenBfloat16, widenFloat16 } from './dtype-conversion';
import { type StateDict, sizeOfShape, type WeightTensor } from './state-dict';

/**
 * safetensors: 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {str: str} }`,
 * then the raw little-endian data. Every offset is validated before any read.
 */

const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsFile {
  readonly tensors: StateDict;
  readonly metadata: Record<string, string>;
}

function invalid(message: string): RcnnError {
  return new RcnnError('INVALID_WEIGHTS', `safetensors: ${message}`);
}

/** Parses a safetensors file. Arrays are copies (aligned), independent of `bytes`. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.byteLength < 8)
    throw invalid(`file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declaredLength = view.getBigUint64(0, true);
  if (declaredLength > BigInt(bytes.byteLength - 8)) {
    throw invalid(
      `the header length (first 8 bytes, little-endian) says ${declaredLength} bytes, but only ` +
        `${bytes.byteLength - 8} follow in the ${bytes.byteLength}-byte file (truncated file, or a corrupt length)`,
    );
  }
  const headerLength = Number(declaredLength);
  if (headerLength > MAX_HEADER_BYTES) {
    throw invalid(`the JSON header is ${headerLength} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch (error) {
    throw new RcnnError(
      'INVALID_WEIGHTS',
      `safetensors: the ${headerLength}-byte header is not valid UTF-8`,
      {
        cause: error,
      },
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new RcnnError(
      'INVALID_WEIGHTS',
      `safetensors: the ${headerLength}-byte header is not valid JSON (${(error as Error).message})`,
      { cause: error },
    );
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw invalid(
      `header is JSON ${Array.isArray(header) ? 'array' : typeof header}, not an object of tensors`,
    );
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors: StateDict = new Map();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry);
      continue;
    }
    const { dtype, shape, begin, end } = parseEntry(name, entry);
    if (end > dataLength)
      throw invalid(
        `tensor "${name}" ends at byte ${end} but the data section has ${dataLength} bytes (truncated file?)`,
      );
    const expected = sizeOfShape(shape) * DTYPE_BYTES[dtype]!;
    if (end - begin !== expected) {
      throw invalid(
        `tensor "${name}" has ${end - begin} bytes but ${dtype}[${shape.join(', ')}] needs ${expected}`,
      );
    }
    spans.push([begin, end, name]);
    tensors.set(name, decode(dtype, shape, bytes.subarray(dataStart + begin, dataStart + end), name));
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1])
      throw invalid(`tensors "${spans[i - 1]![2]}" and "${spans[i]![2]}" overlap`);
  }
  return { tensors, metadata };
}

function parseMetadata(entry: unknown): Record<string, string> {
  if (typeof entry !== 'object' || entry === null) throw invalid('__metadata__ must be an object of strings');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string') throw invalid(`__metadata__.${key} must be a string`);
    out[key] = value;
  }
  return out;
}

function parseEntry(name: string, entry: unknown) {
  const record = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof entry !== 'object' || entry === null) throw invalid(`entry "${name}" is not an object`);
  const dtype = record.dtype;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES))
    throw invalid(
      `tensor "${name}" has unsupported dtype ${JSON.stringify(dtype)} (read: ${Object.keys(DTYPE_BYTES).join(', ')})`,
    );
  const shape = record.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw invalid(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  }
  const offsets = record.data_offsets;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw invalid(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  return { dtype, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number };
}

function decode(dtype: string, shape: number[], raw: Uint8Array, name: string): WeightTensor {
  // An aligned, owned copy (not `raw.slice()`: on a Node Buffer that is a view of the same memory).
  const copy = new Uint8Array(raw);
  const buffer = copy.buffer;
  const n = sizeOfShape(shape);
  const littleEndianView = new DataView(buffer);
  switch (dtype) {
    case 'F32':
      return { dtype: 'float32', shape, data: new Float32Array(buffer, 0, n) };
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = littleEndianView.getFloat64(i * 8, true);
      return { dtype: 'float32', shape, data: out };
    }
    case 'F16':
      return { dtype: 'float32', shape, data: widenFloat16(new Uint16Array(buffer, 0, n)) };
    case 'BF16':
      return { dtype: 'float32', shape, data: widenBfloat16(new Uint16Array(buffer, 0, n)) };
    case 'I64':
      return { dtype: 'int32', shape, data: narrowInt64(new BigInt64Array(buffer, 0, n), name) };
    case 'I32':
      return { dtype: 'int32', shape, data: new Int32Array(buffer, 0, n) };
    case 'I16':
      return { dtype: 'int16', shape, data: new Int16Array(buffer, 0, n) };
    case 'I8':
      return { dtype: 'int8', shape, data: new Int8Array(buffer, 0, n) };
    case 'U8':
      return { dtype: 'uint8', shape, data: copy };
    default:
      return { dtype: 'bool', shape, data: copy };
  }
}

const WRITE_DTYPE: Record<WeightTensor['dtype'], string> = {
  float32: 'F32',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

/** Options of {@link writeSafetensors}. */
export interface WriteSafetensorsOptions {
  /**
   * How float32 tensors are stored: `'float32'` (default, exact) or `'float16'` (IEEE half,
   * rounded to nearest even; half the bytes). Other dtypes are stored as they are.
   */
  readonly floatDtype?: 'float32' | 'float16';
}

/** The bytes a tensor is stored as, and their safetensors dtype. */
function payloadOf(
  name: string,
  tensor: WeightTensor,
  floatDtype: 'float32' | 'float16',
): { dtype: string; bytes: Uint8Array } {
  if (tensor.dtype !== 'float32' || floatDtype === 'float32') {
    const { data } = tensor;
    return {
      dtype: WRITE_DTYPE[tensor.dtype],
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  }
  const half = float16Stored(tensor.data as Float32Array, name);
  return { dtype: 'F16', bytes: new Uint8Array(half.buffer) };
}

/**
 * Serialises arrays (and optional string metadata) to safetensors bytes, in insertion order.
 * @throws RcnnError `INVALID_SHAPE` when a tensor's data does not fill its shape, `UNSUPPORTED`
 *   naming the first tensor whose finite values overflow float16 (with `floatDtype: 'float16'`)
 */
export function writeSafetensors(
  tensors: StateDict,
  metadata?: Record<string, string>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (tensor.data.length !== sizeOfShape(tensor.shape)) {
      throw new RcnnError(
        'INVALID_SHAPE',
        `tensor "${name}" has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`,
      );
    }
    const { dtype, bytes } = payloadOf(name, tensor, options.floatDtype ?? 'float32');
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.byteLength] };
    payloads.push(bytes);
    offset += bytes.byteLength;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8; // keeps data 8-byte aligned, as the format recommends
  headerBytes = new Uint8Array([...headerBytes, ...new Array(padded - headerBytes.length).fill(0x20)]);
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(headerBytes, 8);
  let cursor = 8 + padded;
  for (const bytes of payloads) {
    out.set(bytes, cursor);
    cursor += bytes.byteLength;
  }
  return out;
}
