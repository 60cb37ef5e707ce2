import { RcnnError } from '../../errors/rcnn-error';
import type { StateDict } from '../state-dict';
import { selectStateDict } from './extract-state-dict';
import { openLegacyCheckpoint } from './legacy-checkpoint';
import { materializeTree } from './materialize';
import type { PickleValue } from './pickle-value';
import { PthTensor, type StorageBytes } from './pth-tensor';
import { type StorageRegistry, torchUnpickleHooks } from './torch-globals';
import { openZipCheckpoint } from './zip-checkpoint';

export interface PthReadOptions {
  /**
   * Entry of a checkpoint dict that holds the state_dict (e.g. `'model'`). Default:
   * the root when it is a state_dict, else the first of `model`, `state_dict`,
   * `model_state_dict` that is one.
   */
  readonly key?: string;
  /**
   * Extra fully qualified Python globals (e.g. `'argparse.Namespace'`) to read as inert
   * `PickleObject` records instead of refusing the file. They are never called.
   */
  readonly allowGlobals?: readonly string[];
}

interface OpenedCheckpoint {
  readonly root: unknown;
  readonly readStorage: StorageBytes;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function open(bytes: Uint8Array, options: PthReadOptions): OpenedCheckpoint {
  if (!(bytes instanceof Uint8Array)) {
    throw new RcnnError('INVALID_ARGUMENT', 'readPth expects the file contents as a Uint8Array');
  }
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new RcnnError('UNSUPPORTED', 'pth: reading torch files needs a little-endian host');
  }
  const storages: StorageRegistry = new Map();
  const hooks = torchUnpickleHooks(options.allowGlobals ?? [], storages);
  if (ZIP_MAGIC.every((byte, i) => bytes[i] === byte)) return openZipCheckpoint(bytes, hooks, storages);
  if (bytes[0] === 0x80) return openLegacyCheckpoint(bytes, hooks, storages);
  if (bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar') {
    throw new RcnnError('UNSUPPORTED', 'pth: tar-format checkpoints (torch < 0.4) are not supported');
  }
  throw new RcnnError(
    'INVALID_WEIGHTS',
    `pth: not a torch.save file (${bytes.length} bytes; expected a zip archive or a legacy pickle stream)`,
  );
}

/** Runs `read`, turning any non-RcnnError failure into INVALID_WEIGHTS so callers see one error type. */
function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof RcnnError) throw error;
    throw new RcnnError('INVALID_WEIGHTS', `pth: unreadable file (${String(error)})`, { cause: error });
  }
}

/**
 * Reads a PyTorch state_dict saved with `torch.save` (zip format of torch >= 1.6, and
 * the legacy pre-1.6 format), without running any code from the file: the pickle is
 * interpreted by a safe unpickler that only rebuilds tensors and plain containers.
 * A checkpoint dict that wraps the state_dict (`{'model': sd, 'epoch': 3}`) is
 * unwrapped (see `PthReadOptions.key`).
 *
 * Tensors keep torch's shape and layout (conv OIHW, linear [out, in]); strided views and
 * storages shared between tensors are copied out as contiguous row-major arrays.
 * float16/bfloat16/float64 become float32, int64 becomes int32 (values outside int32
 * are an error), bool becomes `'bool'` with 0/1 bytes. Arrays are copies independent of
 * `bytes`. Matches `torch.load(f, weights_only=True)` for state_dicts.
 * @throws RcnnError `UNSAFE_PICKLE` for any global outside the allow-list (e.g. `posix.system`),
 *   `INVALID_WEIGHTS` for truncated/corrupt files (zip CRCs are checked) or missing storages,
 *   `UNSUPPORTED` for TorchScript archives, complex/quantized tensors, big-endian files.
 */
export function readPth(bytes: Uint8Array, options: PthReadOptions = {}): StateDict {
  return guarded(() => {
    const { root, readStorage } = open(bytes, options);
    const lazy = selectStateDict(root, (v): v is PthTensor => v instanceof PthTensor, options.key);
    const cache = new Map();
    const out: StateDict = new Map();
    for (const [name, tensor] of lazy) out.set(name, tensor.materialize(readStorage, name, cache));
    return out;
  });
}

/**
 * Reads a whole torch.save'd object (a training checkpoint with optimizer state,
 * epoch, ...) with every tensor as a `WeightTensor` (same conversions as `readPth`).
 * See `PickleValue` for how Python objects map to JavaScript; `extractStateDict`
 * picks the model's state_dict out of the result.
 */
export function readPthCheckpoint(bytes: Uint8Array, options: Omit<PthReadOptions, 'key'> = {}): PickleValue {
  return guarded(() => {
    const { root, readStorage } = open(bytes, options);
    return materializeTree(root, readStorage);
  });
}
