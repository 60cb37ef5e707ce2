import type { WeightTensor } from '../state-dict';

/**
 * What the safe unpickler turns Python objects into. Nothing here can run code:
 * globals outside the allow-list are an error, and the few allowed ones are
 * re-implemented as plain data constructors.
 *
 * | Python                              | JavaScript                                   |
 * | ----------------------------------- | -------------------------------------------- |
 * | None, bool, str, float              | null, boolean, string, number                |
 * | int                                 | number (bigint beyond 2^53)                  |
 * | bytes, bytearray                    | Uint8Array                                   |
 * | list / tuple / set, frozenset       | array / frozen array / Set                   |
 * | dict, OrderedDict, Counter          | Map (insertion order kept)                   |
 * | torch.Tensor, nn.Parameter          | WeightTensor (float32/int32/uint8/... data)  |
 * | an allowed extra global's object    | PickleObject (inert record)                  |
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | readonly PickleValue[]
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>
  | WeightTensor
  | PickleObject;

/**
 * An object of a class the caller allowed with `allowGlobals` (e.g. `argparse.Namespace`
 * in torchvision's training checkpoints): its class name, constructor arguments and
 * `__setstate__` state recorded as data. The class is never instantiated.
 */
export class PickleObject {
  state: PickleValue | undefined = undefined;
  constructor(
    /** Fully qualified class or function name, e.g. `argparse.Namespace`. */
    readonly className: string,
    /** Arguments it would have been called with. */
    readonly args: readonly PickleValue[],
  ) {}
}

/** True for the frozen arrays that stand for Python tuples. */
export function isPickleTuple(value: unknown): value is readonly PickleValue[] {
  return Array.isArray(value) && Object.isFrozen(value);
}
