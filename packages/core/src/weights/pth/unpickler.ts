import { RcnnError } from '../../errors/rcnn-error';
import { narrowInteger, PickleReader } from './pickle-reader';
import { PickleObject } from './pickle-value';

/**
 * A safe pickle virtual machine (protocols 0-5, the opcodes data pickles use). It
 * never imports or calls anything: GLOBAL/STACK_GLOBAL go through `findGlobal`, which
 * answers with a `PickleCallable` (a plain-data constructor written in TypeScript) or
 * throws; REDUCE/NEWOBJ only call such constructors. INST, OBJ and the extension
 * registry (EXT1/2/4) build objects by calling classes, so they are always refused.
 * Python's own Unpickler (Lib/pickle.py `_Unpickler`) defines the semantics.
 */
export class PickleCallable {
  constructor(
    readonly qualifiedName: string,
    readonly call: (args: readonly unknown[]) => unknown,
  ) {}
}

export interface UnpickleHooks {
  /** Resolves `module.name`; throws RcnnError('UNSAFE_PICKLE') for anything not allowed. */
  findGlobal(module: string, name: string): unknown;
  /** Resolves a persistent id (torch: `('storage', type, key, location, numel)`). */
  persistentLoad(id: unknown): unknown;
}

export interface UnpickleResult {
  readonly value: unknown;
  /** Byte offset just past STOP (legacy torch files hold several pickles back to back). */
  readonly end: number;
}

const REFUSED: Record<number, string> = {
  105: 'INST (calls a class)',
  111: 'OBJ (calls a class)',
  130: 'EXT1 (extension registry)',
  131: 'EXT2 (extension registry)',
  132: 'EXT4 (extension registry)',
};
const NAME = /^[A-Za-z_][\w.]*$/;

const tuple = (items: unknown[]): readonly unknown[] => Object.freeze(items);
const isList = (value: unknown): value is unknown[] => Array.isArray(value) && !Object.isFrozen(value);

/** Runs the pickle starting at `start` until STOP. Throws RcnnError only (on well-behaved hooks). */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, start = 0): UnpickleResult {
  const reader = new PickleReader(bytes, start);
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  // Reads `stack` when called, after its argument ran (popMark swaps the array).
  const push = (value: unknown): void => {
    stack.push(value);
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw reader.invalid('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw reader.invalid('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = marks.pop();
    if (!previous) throw reader.invalid('MARK expected');
    stack = previous;
    return items;
  };
  const findGlobal = (module: unknown, name: unknown): unknown => {
    const valid = (part: unknown) => typeof part === 'string' && NAME.test(part);
    if (!valid(module) || !valid(name)) throw reader.invalid('malformed global name');
    return hooks.findGlobal(module as string, name as string);
  };
  const call = (callable: unknown, args: unknown, opcode: string): unknown => {
    if (!(callable instanceof PickleCallable)) {
      throw new RcnnError(
        'UNSAFE_PICKLE',
        `pickle: ${opcode} of a value that is not an allowed callable (byte ${reader.opcodeAt})`,
      );
    }
    if (!Array.isArray(args)) throw reader.invalid(`${opcode} arguments are not a tuple`);
    return callable.call(args);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) throw reader.invalid('SETITEM(S) target is not a dict');
    if (items.length % 2) throw reader.invalid('odd number of dict items');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]): void => {
    if (target instanceof Set) for (const item of items) target.add(item);
    else if (isList(target)) for (const item of items) target.push(item);
    else throw reader.invalid('APPEND(S)/ADDITEMS target is not a list or set');
  };
  const memoIndex = (opcode: number): number => {
    if (opcode === 0x67 || opcode === 0x70) return Number(reader.decimal('memo index'));
    return opcode === 0x68 || opcode === 0x71 ? reader.u8() : reader.u32();
  };

  while (true) {
    reader.opcodeAt = reader.position;
    const opcode = reader.u8();
    switch (opcode) {
      case 0x80: // PROTO
        if (reader.u8() > 5)
          throw new RcnnError('UNSUPPORTED', `pickle: protocol above 5 (byte ${reader.opcodeAt})`);
        break;
      case 0x95: // FRAME: only a length hint
        reader.u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) throw reader.invalid('STOP with a malformed stack');
        return { value: stack[0], end: reader.position };
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        push(opcode === 0x88);
        break;
      case 0x49: {
        // INT (text); protocol 0 writes booleans as I01 / I00
        const source = reader.line();
        if (source === '01' || source === '00') push(source === '01');
        else push(narrowInteger(reader.decimal('INT', source)));
        break;
      }
      case 0x4c: // LONG (text)
        push(narrowInteger(reader.decimal('LONG')));
        break;
      case 0x4a: // BININT
        push(reader.i32());
        break;
      case 0x4b: // BININT1
        push(reader.u8());
        break;
      case 0x4d: // BININT2
        push(reader.u16());
        break;
      case 0x8a: // LONG1
        push(reader.signedInteger(reader.u8()));
        break;
      case 0x8b: // LONG4
        push(reader.signedInteger(reader.i32()));
        break;
      case 0x46: {
        // FLOAT (text)
        const source = reader.line().trim();
        const value = Number(source);
        if (source === '' || (Number.isNaN(value) && !/^[-+]?nan$/i.test(source))) {
          throw reader.invalid(`malformed FLOAT ${JSON.stringify(source)}`);
        }
        push(value);
        break;
      }
      case 0x47: // BINFLOAT
        push(reader.float64BigEndian());
        break;
      case 0x58: // BINUNICODE
        push(reader.utf8Text(reader.u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(reader.utf8Text(reader.u8()));
        break;
      case 0x8d: // BINUNICODE8
        push(reader.utf8Text(reader.u64()));
        break;
      case 0x54: // BINSTRING (a Python 2 str; latin-1, as Python 3 reads it by default)
        push(reader.latin1Text(reader.i32()));
        break;
      case 0x55: // SHORT_BINSTRING
        push(reader.latin1Text(reader.u8()));
        break;
      case 0x42: // BINBYTES
        push(reader.take(reader.u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        push(reader.take(reader.u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(reader.take(reader.u64()).slice());
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: // APPENDS
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        push(tuple([]));
        break;
      case 0x74: // TUPLE
        push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const count = opcode - 0x84;
        if (stack.length < count) throw reader.invalid('stack underflow');
        push(tuple(stack.splice(stack.length - count, count)));
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x64: {
        // DICT
        const dict = new Map();
        setItems(dict, popMark());
        push(dict);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        push(new Set());
        break;
      case 0x91: // FROZENSET
        push(new Set(popMark()));
        break;
      case 0x70: // PUT
      case 0x71: // BINPUT
      case 0x72: // LONG_BINPUT
        memo.set(memoIndex(opcode), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = memoIndex(opcode);
        if (!memo.has(index)) throw reader.invalid(`memo entry ${index} was never stored`);
        push(memo.get(index));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = reader.line();
        push(findGlobal(module, reader.line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        push(findGlobal(pop(), name));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        push(call(pop(), args, opcode === 0x52 ? 'REDUCE' : 'NEWOBJ'));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        const keywords = pop();
        const args = pop();
        if (!(keywords instanceof Map) || keywords.size)
          throw reader.invalid('NEWOBJ_EX with keyword arguments');
        push(call(pop(), args, 'NEWOBJ_EX'));
        break;
      }
      case 0x62: {
        // BUILD: __setstate__ kept as data; an OrderedDict's state (torch's `_metadata`) is dropped
        const state = pop();
        const target = top();
        if (target instanceof PickleObject) target.state = state as PickleObject['state'];
        else if (!(target instanceof Map)) throw reader.invalid('BUILD on an object that takes no state');
        break;
      }
      case 0x51: // BINPERSID
        push(hooks.persistentLoad(pop()));
        break;
      case 0x50: // PERSID (text)
        push(hooks.persistentLoad(reader.line()));
        break;
      default: {
        const refused = REFUSED[opcode];
        if (refused) {
          throw new RcnnError(
            'UNSAFE_PICKLE',
            `pickle: opcode ${refused} is never allowed (byte ${reader.opcodeAt})`,
          );
        }
        throw reader.invalid(`unknown or unsupported opcode 0x${opcode.toString(16).padStart(2, '0')}`);
      }
    }
  }
}
