import { describe, expect, it } from 'vitest';
import { RcnnError } from '../../errors/rcnn-error';
import { PickleObject } from './pickle-value';
import { type StorageRegistry, torchUnpickleHooks } from './torch-globals';
import { unpickle } from './unpickler';

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((byte) => Number.parseInt(byte, 16)));
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const load = (bytes: Uint8Array, allowGlobals: string[] = []) =>
  unpickle(bytes, torchUnpickleHooks(allowGlobals, new Map() as StorageRegistry)).value;

// pickle.dumps(v, protocol=p).hex() from CPython 3.11 for
// v = {'int': [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31, 2**40, -2**70, 2**64],
//      'float': [1.5, -0.0, 1e300], 'str': ['', 'é ü 😀'], 'bool': [True, False, None],
//      'tuple': ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)), 'bytes': b'\x00\xffab',
//      'set': {3}, 'frozen': frozenset([4]), 'od': OrderedDict([('b', 1), ('a', 2)])}
const PYTHON_PICKLES: Record<number, string> = {
  1: '7d7100285803000000696e7471015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000804c323134373438333634384c0a4c313039393531313632373737364c0a4c2d313138303539313632303731373431313330333432344c0a4c31383434363734343037333730393535313631364c0a655805000000666c6f617471035d710428473ff8000000000000478000000000000000477e37e43c8800759c65580300000073747271055d71062858000000007107580a000000c3a920c3bc20f09f98807108655804000000626f6f6c71095d710a284930310a4930300a4e6558050000007475706c65710b2829284b0174710c284b014b0274710d284b014b024b0374710e284b014b024b034b0474710f747110580500000062797465737111635f636f646563730a656e636f64650a711228580500000000c3bf6162711358060000006c6174696e31711474711552711658030000007365747117635f5f6275696c74696e5f5f0a7365740a7118285d71194b036174711a52711b580600000066726f7a656e711c635f5f6275696c74696e5f5f0a66726f7a656e7365740a711d285d711e4b046174711f52712058020000006f64712163636f6c6c656374696f6e730a4f726465726564446963740a7122295271232858010000006271244b0158010000006171254b0275752e',
  2: '80027d7100285803000000696e7471015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a060000000000018a090000000000000000c08a09000000000000000001655805000000666c6f617471035d710428473ff8000000000000478000000000000000477e37e43c8800759c65580300000073747271055d71062858000000007107580a000000c3a920c3bc20f09f98807108655804000000626f6f6c71095d710a2888894e6558050000007475706c65710b28294b0185710c4b014b0286710d4b014b024b0387710e284b014b024b034b0474710f747110580500000062797465737111635f636f646563730a656e636f64650a7112580500000000c3bf6162711358060000006c6174696e31711486711552711658030000007365747117635f5f6275696c74696e5f5f0a7365740a71185d71194b036185711a52711b580600000066726f7a656e711c635f5f6275696c74696e5f5f0a66726f7a656e7365740a711d5d711e4b046185711f52712058020000006f64712163636f6c6c656374696f6e730a4f726465726564446963740a7122295271232858010000006271244b0158010000006171254b0275752e',
  3: '80037d7100285803000000696e7471015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a060000000000018a090000000000000000c08a09000000000000000001655805000000666c6f617471035d710428473ff8000000000000478000000000000000477e37e43c8800759c65580300000073747271055d71062858000000007107580a000000c3a920c3bc20f09f98807108655804000000626f6f6c71095d710a2888894e6558050000007475706c65710b28294b0185710c4b014b0286710d4b014b024b0387710e284b014b024b034b0474710f747110580500000062797465737111430400ff6162711258030000007365747113636275696c74696e730a7365740a71145d71154b0361857116527117580600000066726f7a656e7118636275696c74696e730a66726f7a656e7365740a71195d711a4b046185711b52711c58020000006f64711d63636f6c6c656374696f6e730a4f726465726564446963740a711e2952711f2858010000006271204b0158010000006171214b0275752e',
  5: '80059524010000000000007d94288c03696e74945d94284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a060000000000018a090000000000000000c08a09000000000000000001658c05666c6f6174945d9428473ff8000000000000478000000000000000477e37e43c8800759c658c03737472945d94288c00948c0ac3a920c3bc20f09f988094658c04626f6f6c945d942888894e658c057475706c659428294b0185944b014b0286944b014b024b038794284b014b024b034b04749474948c05627974657394430400ff6162948c03736574948f94284b03908c0666726f7a656e94284b0491948c026f64948c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0162944b018c0161944b0275752e',
};

describe('safe unpickler', () => {
  it.each([1, 2, 3, 5])('reads what CPython pickles at protocol %i', (protocol) => {
    const value = load(hex(PYTHON_PICKLES[protocol]!)) as Map<string, unknown>;
    expect([...value.keys()]).toEqual([
      'int',
      'float',
      'str',
      'bool',
      'tuple',
      'bytes',
      'set',
      'frozen',
      'od',
    ]);
    expect(value.get('int')).toEqual([
      0,
      1,
      -1,
      255,
      256,
      65535,
      65536,
      -(2 ** 31),
      2 ** 31,
      2 ** 40,
      -(2n ** 70n),
      2n ** 64n,
    ]);
    expect(value.get('float')).toEqual([1.5, -0, 1e300]);
    expect(Object.is((value.get('float') as number[])[1], -0)).toBe(true);
    expect(value.get('str')).toEqual(['', 'é ü 😀']);
    expect(value.get('bool')).toEqual([true, false, null]);
    const tuples = value.get('tuple') as unknown[][];
    expect(tuples).toEqual([[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4]]);
    expect(Object.isFrozen(tuples) && tuples.every((t) => Object.isFrozen(t))).toBe(true);
    expect(Array.from(value.get('bytes') as Uint8Array)).toEqual([0, 255, 0x61, 0x62]);
    expect(value.get('set')).toEqual(new Set([3]));
    expect(value.get('frozen')).toEqual(new Set([4]));
    expect([...(value.get('od') as Map<string, number>)]).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
  });

  it('keeps shared references shared (memo) and reads BYTEARRAY8', () => {
    const value = load(hex('80027d71002858010000007871015d71024b016158010000007971036802752e')) as Map<
      string,
      unknown
    >;
    expect(value.get('x')).toBe(value.get('y'));
    expect(Array.from(load(hex('8005950d000000000000009602000000000000006162942e')) as Uint8Array)).toEqual([
      0x61, 0x62,
    ]);
  });

  it.each([
    ['GLOBAL posix.system', "cposix\nsystem\n(S'x'\ntR.", /"posix\.system"/],
    ['GLOBAL builtins.eval', '\x80\x02cbuiltins\neval\nq\x00.', /"builtins\.eval"/],
    ['GLOBAL via __builtin__', 'c__builtin__\ngetattr\n.', /"builtins\.getattr"/],
    ['STACK_GLOBAL os.system', '\x80\x04\x8c\x02os\x8c\x06system\x93.', /"os\.system"/],
    ['a torch function outside the list', '\x80\x02ctorch\nload\n.', /"torch\.load"/],
    ['INST', '(ios\nsystem\n.', /INST/],
    ['OBJ', '\x80\x02(cbuiltins\nlist\no.', /"builtins\.list"/],
    ['OBJ of an allowed class', '\x80\x02(ccollections\nOrderedDict\no.', /OBJ/],
    ['EXT1', '\x80\x02\x82\x01.', /EXT1/],
    ['EXT2', '\x80\x02\x83\x01\x00.', /EXT2/],
    ['REDUCE of a non-callable', '\x80\x02])R.', /not an allowed callable/],
    ['NEWOBJ of a string', '\x80\x02X\x01\x00\x00\x00a)\x81.', /not an allowed callable/],
  ])('refuses %s with UNSAFE_PICKLE', (_, source, message) => {
    const read = () => load(ascii(source));
    expect(read).toThrowError(RcnnError);
    expect(read).toThrowError(message);
    try {
      read();
    } catch (error) {
      expect((error as RcnnError).code).toBe('UNSAFE_PICKLE');
    }
  });

  it('records an explicitly allowed global as an inert PickleObject, never calling it', () => {
    // argparse.Namespace as protocol 2 writes it: NEWOBJ then BUILD with the attribute dict.
    const source = '\x80\x02cargparse\nNamespace\n)\x81}X\x02\x00\x00\x00lrG?\x94z\xe1G\xae\x14{sb.';
    expect(() => load(ascii(source))).toThrowError(/allowGlobals: \['argparse\.Namespace'\]/);
    const value = load(ascii(source), ['argparse.Namespace']) as PickleObject;
    expect(value).toBeInstanceOf(PickleObject);
    expect(value.className).toBe('argparse.Namespace');
    expect(value.args).toEqual([]);
    expect(value.state).toEqual(new Map([['lr', 0.02]]));
  });

  it.each([
    ['an empty input', ''],
    ['no STOP', '\x80\x02K\x01'],
    ['a truncated BINUNICODE', '\x80\x02X\xff\x00\x00\x00ab'],
    ['stack underflow', '\x80\x02s.'],
    ['an unknown memo entry', '\x80\x02h\x07.'],
    ['two values at STOP', '\x80\x02K\x01K\x02.'],
    ['an open MARK at STOP', '\x80\x02(K\x01.'],
    ['POP_MARK without MARK', '\x80\x021.'],
    ['SETITEM on a list', '\x80\x02]K\x01K\x02s.'],
    ['APPEND on a tuple', '\x80\x02)K\x01a.'],
    ['an unknown opcode', '\x80\x02\xff.'],
    ['invalid UTF-8', '\x80\x02X\x01\x00\x00\x00\xff.'],
    ['a malformed INT', 'I12x\n.'],
    ['a persistent id that is not a storage', '\x80\x02X\x01\x00\x00\x00aQ.'],
    ['a malformed global name', 'cos system\nx\n.'],
  ])('rejects %s with INVALID_WEIGHTS', (_, source) => {
    try {
      load(ascii(source));
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(RcnnError);
      expect((error as RcnnError).code).toBe('INVALID_WEIGHTS');
    }
  });
});
