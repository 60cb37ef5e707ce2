import { RcnnError } from '../../errors/rcnn-error';
import { elementBytes, type StorageBytes } from './pth-tensor';
import type { StorageRegistry } from './torch-globals';
import { type UnpickleHooks, unpickle } from './unpickler';
import { readZipDirectory, readZipEntry } from './zip-archive';

/**
 * torch.save's zip format (torch >= 1.6): `<stem>/data.pkl` (the pickled object; each
 * storage a persistent id), `<stem>/data/<key>` (raw little-endian storage bytes),
 * `<stem>/version`, and since torch 2.1 `<stem>/byteorder`. The top-level directory
 * is whatever torch chose (the file stem, or `archive`), so it is found, not assumed.
 * A storage record larger than the pickle declares it (`numel * element size`, read
 * from `storages` as the pickle fills it) is refused before it is inflated.
 */
export function openZipCheckpoint(
  bytes: Uint8Array,
  hooks: UnpickleHooks,
  storages?: StorageRegistry,
): { root: unknown; readStorage: StorageBytes } {
  const entries = readZipDirectory(bytes);
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new RcnnError(
      'INVALID_WEIGHTS',
      pickles.length === 0
        ? 'pth: the zip archive has no <dir>/data.pkl, so it is not a torch.save file'
        : `pth: the zip archive has ${pickles.length} data.pkl records`,
    );
  }
  const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
  const text = (name: string) => {
    const entry = entries.get(prefix + name);
    return entry && new TextDecoder().decode(readZipEntry(bytes, entry)).trim();
  };
  if (entries.has(`${prefix}constants.pkl`)) {
    throw new RcnnError(
      'UNSUPPORTED',
      'pth: this is a TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead',
    );
  }
  const byteOrder = text('byteorder');
  if (byteOrder !== undefined && byteOrder !== 'little') {
    throw new RcnnError(
      'UNSUPPORTED',
      `pth: storages are stored ${byteOrder}-endian; only little-endian is read`,
    );
  }
  const version = text('version');
  if (version !== undefined && !/^\d+$/.test(version)) {
    throw new RcnnError('INVALID_WEIGHTS', `pth: unreadable format version ${JSON.stringify(version)}`);
  }
  const root = unpickle(readZipEntry(bytes, entries.get(pickles[0]!)!), hooks).value;
  const readStorage = (key: string) => {
    const entry = entries.get(`${prefix}data/${key}`);
    if (!entry)
      throw new RcnnError('INVALID_WEIGHTS', `pth: storage record "${prefix}data/${key}" is missing`);
    const declared = storages?.get(key);
    return readZipEntry(bytes, entry, declared && declared.count * elementBytes(declared.dtype));
  };
  return { root, readStorage };
}
