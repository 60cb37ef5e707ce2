import { RcnnError } from '../../errors/rcnn-error';
import { PickleObject } from './pickle-value';
import { PthTensor, STORAGE_DTYPES, type StorageDtype, StorageRef, StorageType } from './pth-tensor';
import { PickleCallable, type UnpickleHooks } from './unpickler';

/**
 * The allow-list: the only globals a torch.save'd state_dict or checkpoint needs,
 * each re-implemented here as a data constructor (nothing from the file is executed).
 * torch 1.13 emits `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` and
 * `torch.<Dtype>Storage`; the rest covers parameters, older torch versions
 * (`torch.cuda.*Storage`, `_rebuild_tensor`) and common checkpoint extras.
 */
type Constructor = (args: readonly unknown[], name: string) => unknown;

function invalid(message: string): RcnnError {
  return new RcnnError('INVALID_WEIGHTS', `pth: ${message}`);
}

function expectArity(name: string, args: readonly unknown[], ...counts: number[]): void {
  if (!counts.includes(args.length)) throw invalid(`${name} called with ${args.length} arguments`);
}

function integers(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'number'))
    throw invalid(`${what} is not a tuple of ints`);
  return value as number[];
}

function toMap(args: readonly unknown[], name: string): Map<unknown, unknown> {
  expectArity(name, args, 0, 1);
  const source = args[0];
  if (source === undefined) return new Map();
  if (source instanceof Map) return new Map(source);
  if (!Array.isArray(source)) throw invalid(`${name} of an unsupported argument`);
  const map = new Map();
  for (const pair of source) {
    if (!Array.isArray(pair) || pair.length !== 2) throw invalid(`${name} item is not a (key, value) pair`);
    map.set(pair[0], pair[1]);
  }
  return map;
}

function rebuildTensor(args: readonly unknown[], name: string): PthTensor {
  if (name.endsWith('_v2')) expectArity(name, args, 6, 7);
  else expectArity(name, args, 4);
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw invalid(`${name} without a storage`);
  return new PthTensor(storage, offset as number, integers(size, 'size'), integers(stride, 'stride'));
}

function rebuildParameter(args: readonly unknown[], name: string): PthTensor {
  expectArity(name, args, 3, 4);
  if (!(args[0] instanceof PthTensor)) throw invalid(`${name} of something other than a tensor`);
  return args[0];
}

const CONSTRUCTORS: Record<string, Constructor> = {
  'collections.OrderedDict': toMap,
  'collections.Counter': toMap,
  'builtins.set': (args, name) => new Set(args.length ? (toArray(args[0], name) as unknown[]) : []),
  'builtins.frozenset': (args, name) => new Set(args.length ? (toArray(args[0], name) as unknown[]) : []),
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_tensor': rebuildTensor,
  'torch._utils._rebuild_parameter': rebuildParameter,
  'torch._utils._rebuild_parameter_with_state': rebuildParameter,
  'torch.Size': (args, name) => {
    expectArity(name, args, 1);
    return Object.freeze([...integers(args[0], name)]);
  },
  'torch.device': (args, name) => {
    expectArity(name, args, 1, 2);
    if (typeof args[0] !== 'string') throw invalid(`${name} of a non-string`);
    return args.length === 2 ? `${args[0]}:${args[1]}` : args[0];
  },
  // Python 3 pickles bytes at protocol 2 as _codecs.encode(text, 'latin1').
  '_codecs.encode': (args, name) => {
    expectArity(name, args, 2);
    const [text, encoding] = args;
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
      throw invalid(`${name} other than latin1 text`);
    }
    return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  },
};

function toArray(value: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(value)) throw invalid(`${name} of a non-sequence`);
  return value;
}

/** Root storages seen in persistent ids, by record key (legacy files need their sizes). */
export type StorageRegistry = Map<string, { dtype: StorageDtype; count: number }>;

/**
 * Hooks for `unpickle` that rebuild torch tensors as lazy `PthTensor`s and refuse any
 * other global with RcnnError('UNSAFE_PICKLE'). `allowGlobals` lists extra fully
 * qualified names to record as inert `PickleObject`s (never called).
 */
export function torchUnpickleHooks(
  allowGlobals: readonly string[],
  storages: StorageRegistry,
): UnpickleHooks {
  return {
    findGlobal(module, name) {
      if (module === '__builtin__') module = 'builtins'; // Python 2 pickles
      const qualified = `${module}.${name}`;
      if (module === 'torch' || module === 'torch.cuda') {
        const dtype = STORAGE_DTYPES[name as keyof typeof STORAGE_DTYPES];
        if (dtype) return new StorageType(dtype);
        if (name.endsWith('Storage')) {
          throw new RcnnError(
            'UNSUPPORTED',
            `pth: ${qualified} (complex or quantized tensors) is not supported`,
          );
        }
      }
      const construct = CONSTRUCTORS[qualified];
      if (construct) return new PickleCallable(qualified, (args) => construct(args, qualified));
      if (allowGlobals.includes(qualified)) {
        return new PickleCallable(
          qualified,
          (args) => new PickleObject(qualified, args as PickleObject['args']),
        );
      }
      throw new RcnnError(
        'UNSAFE_PICKLE',
        `pth: the file references the Python global "${qualified}", which is not on the allow-list ` +
          '(tensors, storages and plain containers). Nothing was executed. If you trust the file and ' +
          `"${qualified}" is plain data (e.g. argparse.Namespace), pass { allowGlobals: ['${qualified}'] } ` +
          'to read it as an inert PickleObject.',
      );
    },
    persistentLoad(id) {
      if (!Array.isArray(id) || (id.length !== 5 && id.length !== 6) || id[0] !== 'storage') {
        throw invalid('unsupported persistent id (expected a torch storage)');
      }
      const [, type, key, location, count, view] = id;
      if (!(type instanceof StorageType) || typeof key !== 'string' || typeof location !== 'string') {
        throw invalid('malformed storage persistent id');
      }
      if (!Number.isSafeInteger(count) || count < 0)
        throw invalid(`storage ${key} has invalid size ${count}`);
      const known = storages.get(key);
      if (known && (known.dtype !== type.dtype || known.count !== count)) {
        throw invalid(`storage ${key} is declared twice with different types or sizes`);
      }
      storages.set(key, { dtype: type.dtype, count });
      if (view === undefined || view === null) return new StorageRef(key, type.dtype, 0, count);
      // Legacy files (torch < 1.6) could save a view of a storage: (view_key, offset, size).
      const [viewKey, offset, size] = Array.isArray(view) ? view : [];
      const valid = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
      if (typeof viewKey !== 'string' || !valid(offset) || !valid(size) || offset + size > count) {
        throw invalid(`malformed storage view of ${key}`);
      }
      return new StorageRef(key, type.dtype, offset, size);
    },
  };
}
