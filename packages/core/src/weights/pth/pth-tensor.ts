import { RcnnError } from '../../errors/rcnn-error';
import { narrowInt64, widenBfloat16, widenFloat16 } from '../dtype-conversion';
import { sizeOfShape, type WeightTensor } from '../state-dict';

/** Element types of torch storages this reader understands, by torch storage class. */
export const STORAGE_DTYPES = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
} as const;
export type StorageDtype = (typeof STORAGE_DTYPES)[keyof typeof STORAGE_DTYPES];

const ELEMENT_BYTES: Record<StorageDtype, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** Above this many elements a tensor is treated as corrupt (protects against absurd shapes). */
const MAX_ELEMENTS = 2 ** 31 - 1;
/** Views with more elements than their storage (stride-0 `expand`) are capped lower. */
const MAX_EXPANDED_ELEMENTS = 2 ** 27;

/** The storage class a GLOBAL named (`torch.FloatStorage`), before any storage exists. */
export class StorageType {
  constructor(readonly dtype: StorageDtype) {}
}

/** A storage from a persistent id: `count` elements of `dtype` from record `key`, starting at element `offset`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: StorageDtype,
    readonly offset: number,
    readonly count: number,
  ) {}
}

/** Where storage bytes come from: a zip record (new format) or the trailing data section (legacy). */
export type StorageBytes = (key: string) => Uint8Array;

export function elementBytes(dtype: StorageDtype): number {
  return ELEMENT_BYTES[dtype];
}

type ElementArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

function elementsOf(dtype: StorageDtype, bytes: Uint8Array): ElementArray {
  const itemBytes = ELEMENT_BYTES[dtype];
  // Typed arrays need aligned offsets; zip records usually are (torch pads to 64 bytes).
  const aligned = bytes.byteOffset % itemBytes === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset } = aligned;
  const length = Math.floor(aligned.byteLength / itemBytes);
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buffer, byteOffset, length);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'int16':
      return new Int16Array(buffer, byteOffset, length);
    case 'int8':
      return new Int8Array(buffer, byteOffset, length);
    default:
      return new Uint8Array(buffer, byteOffset, length);
  }
}

/**
 * A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage. The
 * data is gathered (copied, contiguous, row-major) only when `materialize` runs, so a
 * checkpoint's optimizer state costs nothing when only its model is read.
 */
export class PthTensor {
  constructor(
    readonly storage: StorageRef,
    readonly storageOffset: number,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
  ) {
    const valid = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    if (!valid(storageOffset) || shape.length !== strides.length || ![...shape, ...strides].every(valid)) {
      throw new RcnnError(
        'INVALID_WEIGHTS',
        `pth: invalid tensor geometry (offset ${storageOffset}, size [${shape}], stride [${strides}])`,
      );
    }
  }

  /** Copies the viewed elements out of the storage and converts them to a WeightTensor dtype. */
  materialize(readStorage: StorageBytes, name: string, cache: Map<string, ElementArray>): WeightTensor {
    const { storage, shape, strides } = this;
    const count = sizeOfShape(shape);
    if (count > MAX_ELEMENTS || (count > storage.count && count > MAX_EXPANDED_ELEMENTS)) {
      throw invalid(`tensor "${name}" has ${count} elements, more than supported`);
    }
    let last = this.storageOffset;
    for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * strides[d]!;
    if (count > 0 && last >= storage.count) {
      throw invalid(
        `tensor "${name}" reads element ${last} of a ${storage.count}-element storage (record ${storage.key})`,
      );
    }
    const cacheKey = `${storage.key}:${storage.dtype}`;
    let elements = cache.get(cacheKey);
    if (!elements) {
      const bytes = readStorage(storage.key);
      elements = elementsOf(storage.dtype, bytes);
      cache.set(cacheKey, elements);
    }
    if (storage.offset + storage.count > elements.length) {
      throw invalid(
        `storage record ${storage.key} holds ${elements.length} ${storage.dtype} elements, ` +
          `${storage.offset + storage.count} expected`,
      );
    }
    const gathered = gather(elements, storage.offset + this.storageOffset, shape, strides, count);
    return convert(storage.dtype, gathered, shape, name);
  }
}

function invalid(message: string): RcnnError {
  return new RcnnError('INVALID_WEIGHTS', `pth: ${message}`);
}

/** Row-major copy of a strided view; one slice when the view is already contiguous. */
function gather<T extends ElementArray>(
  elements: T,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
  count: number,
): T {
  let contiguous = true;
  for (let d = shape.length - 1, expected = 1; d >= 0; d--) {
    if (shape[d]! !== 1 && strides[d]! !== expected) contiguous = false;
    expected *= shape[d]!;
  }
  if (contiguous || count === 0) return elements.slice(offset, offset + count) as T;
  const out = new (elements.constructor as new (length: number) => T)(count);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let source = offset;
  for (let i = 0; i < count; i++) {
    out[i] = elements[source]!;
    // Odometer increment over the multi-index, moving `source` by the matching strides.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      source += strides[d]!;
      if (index[d]! < shape[d]!) break;
      source -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

function convert(
  dtype: StorageDtype,
  data: ElementArray,
  shape: readonly number[],
  name: string,
): WeightTensor {
  switch (dtype) {
    case 'float32':
      return { dtype: 'float32', shape, data: data as Float32Array };
    case 'float64':
      return { dtype: 'float32', shape, data: Float32Array.from(data as Float64Array) };
    case 'float16':
      return { dtype: 'float32', shape, data: widenFloat16(data as Uint16Array) };
    case 'bfloat16':
      return { dtype: 'float32', shape, data: widenBfloat16(data as Uint16Array) };
    case 'int64':
      return { dtype: 'int32', shape, data: narrowInt64(data as BigInt64Array, name) };
    case 'int32':
      return { dtype: 'int32', shape, data: data as Int32Array };
    case 'int16':
      return { dtype: 'int16', shape, data: data as Int16Array };
    case 'int8':
      return { dtype: 'int8', shape, data: data as Int8Array };
    case 'uint8':
      return { dtype: 'uint8', shape, data: data as Uint8Array };
    default:
      return { dtype: 'bool', shape, data: data as Uint8Array };
  }
}
