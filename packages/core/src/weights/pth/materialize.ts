import { RcnnError } from '../../errors/rcnn-error';
import { PickleObject, type PickleValue } from './pickle-value';
import { PthTensor, type StorageBytes, StorageRef, StorageType } from './pth-tensor';
import { PickleCallable } from './unpickler';

const MAX_DEPTH = 1000;

/**
 * Replaces every lazy `PthTensor` in an unpickled tree by its data (copied out of the
 * file), keeping containers, sharing and cycles (each object is converted once).
 */
export function materializeTree(root: unknown, readStorage: StorageBytes): PickleValue {
  const done = new Map<unknown, PickleValue>();
  const cache = new Map();
  const visit = (value: unknown, depth: number, name: string): PickleValue => {
    if (value === null || typeof value !== 'object') return value as PickleValue;
    const seen = done.get(value);
    if (seen !== undefined) return seen;
    if (depth > MAX_DEPTH) throw new RcnnError('INVALID_WEIGHTS', 'pth: objects nested too deeply');
    if (value instanceof PthTensor) {
      const tensor = value.materialize(readStorage, name, cache);
      done.set(value, tensor);
      return tensor;
    }
    if (value instanceof Uint8Array) return value;
    if (value instanceof Map) {
      const out = new Map<PickleValue, PickleValue>();
      done.set(value, out);
      for (const [key, entry] of value) {
        out.set(visit(key, depth + 1, name), visit(entry, depth + 1, typeof key === 'string' ? key : name));
      }
      return out;
    }
    if (value instanceof Set) {
      const out = new Set<PickleValue>();
      done.set(value, out);
      for (const entry of value) out.add(visit(entry, depth + 1, name));
      return out;
    }
    if (Array.isArray(value)) {
      const out: PickleValue[] = [];
      done.set(value, out);
      for (const [i, entry] of value.entries()) out.push(visit(entry, depth + 1, `${name}[${i}]`));
      return Object.isFrozen(value) ? Object.freeze(out) : out;
    }
    if (value instanceof PickleObject) {
      const out = new PickleObject(
        value.className,
        value.args.map((arg) => visit(arg, depth + 1, name)),
      );
      done.set(value, out);
      out.state = value.state === undefined ? undefined : visit(value.state, depth + 1, name);
      return out;
    }
    const what =
      value instanceof PickleCallable
        ? `the bare global ${value.qualifiedName}`
        : value instanceof StorageRef || value instanceof StorageType
          ? 'a bare storage'
          : 'an object';
    throw new RcnnError('UNSUPPORTED', `pth: "${name}" holds ${what}, which this reader does not return`);
  };
  return visit(root, 0, '');
}
