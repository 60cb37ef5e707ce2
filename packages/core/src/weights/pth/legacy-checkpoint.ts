import { RcnnError } from '../../errors/rcnn-error';
import { elementBytes, type StorageBytes } from './pth-tensor';
import type { StorageRegistry } from './torch-globals';
import { type UnpickleHooks, unpickle } from './unpickler';

/** torch's legacy magic number, the first pickle of every pre-1.6 (non-zip) torch.save file. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

function invalid(message: string): RcnnError {
  return new RcnnError('INVALID_WEIGHTS', `pth (legacy format): ${message}`);
}

/**
 * The pre-1.6 format (still what `_use_new_zipfile_serialization=False` writes, and
 * the format of older published checkpoints): five pickles back to back (magic
 * number, protocol version 1001, sys_info, the object, the sorted storage keys), then
 * each storage as an int64 element count followed by its raw bytes.
 */
export function openLegacyCheckpoint(
  bytes: Uint8Array,
  hooks: UnpickleHooks,
  storages: StorageRegistry,
): { root: unknown; readStorage: StorageBytes } {
  const magic = unpickle(bytes, hooks, 0);
  if (magic.value !== LEGACY_MAGIC) throw invalid('not a torch.save file (magic number missing)');
  const protocol = unpickle(bytes, hooks, magic.end);
  if (protocol.value !== LEGACY_PROTOCOL) throw invalid(`unknown protocol version ${String(protocol.value)}`);
  const systemInfo = unpickle(bytes, hooks, protocol.end);
  if (!(systemInfo.value instanceof Map)) throw invalid('system info record is missing');
  if (systemInfo.value.get('little_endian') !== true) {
    throw new RcnnError('UNSUPPORTED', 'pth: the file was written on a big-endian machine');
  }
  const main = unpickle(bytes, hooks, systemInfo.end);
  const keys = unpickle(bytes, hooks, main.end);
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string')) {
    throw invalid('storage key list is missing');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records = new Map<string, Uint8Array>();
  let offset = keys.end;
  for (const key of keys.value as string[]) {
    const storage = storages.get(key);
    if (!storage) throw invalid(`storage ${key} is listed but no tensor uses it`);
    if (offset + 8 > bytes.length) throw invalid(`storage ${key} is missing (truncated file)`);
    const count = view.getBigInt64(offset, true);
    if (count !== BigInt(storage.count))
      throw invalid(`storage ${key} holds ${count} elements, ${storage.count} declared`);
    const length = storage.count * elementBytes(storage.dtype);
    if (offset + 8 + length > bytes.length) throw invalid(`storage ${key} is cut short (truncated file)`);
    records.set(key, bytes.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  const readStorage = (key: string) => {
    const record = records.get(key);
    if (!record) throw invalid(`storage ${key} is missing from the data section`);
    return record;
  };
  return { root: main.value, readStorage };
}
