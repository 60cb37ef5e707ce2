import { RcnnError } from '../../errors/rcnn-error';
import type { StateDict, WeightTensor } from '../state-dict';
import { PickleObject, type PickleValue } from './pickle-value';

/** Keys under which training scripts commonly store the model's state_dict, tried in order. */
export const STATE_DICT_KEYS = ['model', 'state_dict', 'model_state_dict'] as const;

/** True for the plain `{ dtype, shape, data }` records tensors are read into. */
export function isWeightTensor(value: unknown): value is WeightTensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof PickleObject) &&
    !ArrayBuffer.isView(value) &&
    typeof (value as WeightTensor).dtype === 'string' &&
    Array.isArray((value as WeightTensor).shape) &&
    ArrayBuffer.isView((value as WeightTensor).data)
  );
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof Map) return 'a dict';
  if (value instanceof PickleObject) return `a ${value.className}`;
  if (Array.isArray(value)) return 'a list/tuple';
  return `a ${typeof value}`;
}

/** Non-null when `value` is a dict of string -> tensor (what torch's `state_dict()` returns). */
function asStateDict<T>(value: unknown, isTensor: (v: unknown) => v is T): Map<string, T> | null {
  if (!(value instanceof Map)) return null;
  for (const [name, entry] of value) if (typeof name !== 'string' || !isTensor(entry)) return null;
  return value as Map<string, T>;
}

function explainNotStateDict(value: unknown, isTensor: (v: unknown) => boolean, where: string): string {
  if (!(value instanceof Map)) return `${where} is ${describe(value)}, not a dict of tensors`;
  for (const [name, entry] of value) {
    if (!isTensor(entry)) return `${where} entry ${JSON.stringify(name)} is ${describe(entry)}, not a tensor`;
  }
  return `${where} is not a state_dict`;
}

/**
 * Finds the state_dict in an unpickled checkpoint. Generic over the tensor type so the
 * reader can select before materialising (an optimizer's state then costs nothing).
 */
export function selectStateDict<T>(
  root: unknown,
  isTensor: (v: unknown) => v is T,
  key: string | undefined,
): Map<string, T> {
  if (key !== undefined) {
    if (!(root instanceof Map) || !root.has(key)) {
      const keys = root instanceof Map ? [...root.keys()].map(String).join(', ') : describe(root);
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `pth: the checkpoint has no entry "${key}" (it holds: ${keys})`,
      );
    }
    const found = asStateDict(root.get(key), isTensor);
    if (!found)
      throw new RcnnError(
        'INVALID_WEIGHTS',
        `pth: ${explainNotStateDict(root.get(key), isTensor, `"${key}"`)}`,
      );
    return found;
  }
  const direct = asStateDict(root, isTensor);
  if (direct) return direct;
  if (root instanceof Map) {
    for (const candidate of STATE_DICT_KEYS) {
      const found = asStateDict(root.get(candidate), isTensor);
      if (found) return found;
    }
    throw new RcnnError(
      'INVALID_WEIGHTS',
      `pth: the checkpoint is a dict with keys [${[...root.keys()].map(String).join(', ')}] and is not itself a ` +
        `state_dict (${explainNotStateDict(root, isTensor, 'the root')}), nor holds one under ` +
        `${STATE_DICT_KEYS.map((k) => `"${k}"`).join(', ')}; pass { key } naming the entry that does`,
    );
  }
  throw new RcnnError('INVALID_WEIGHTS', `pth: the checkpoint is ${describe(root)}, not a state_dict`);
}

/**
 * The state_dict inside an object read by `readPthCheckpoint`: the object itself when
 * it is a dict of tensors, else its entry `key`, else (no `key`) the first of
 * `model`, `state_dict`, `model_state_dict` that is one (torchvision's
 * references/detection/train.py saves `{'model': ..., 'optimizer': ..., 'epoch': ...}`).
 * @returns the same tensor records (no copy) in file order.
 */
export function extractStateDict(checkpoint: PickleValue, key?: string): StateDict {
  return selectStateDict(checkpoint, isWeightTensor, key);
}
