import { readFixtureBytes } from '@rcnn/test-utils';
import { unzipSync, type Zippable, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { RcnnError } from '../../errors/rcnn-error';
import { readSafetensors } from '../safetensors';
import type { StateDict } from '../state-dict';
import { extractStateDict, isWeightTensor } from './extract-state-dict';
import { PickleObject } from './pickle-value';
import { readPth, readPthCheckpoint } from './read-pth';
import { detectWeightsFormat, readStateDict } from './read-state-dict';

// Written by tools/reference/gen_core_pth.py with torch 1.13 torch.save; expected values
// are what torch.load returns, made contiguous (floats as float32, int64 as int32).
const fixture = (name: string) => readFixtureBytes(import.meta.url, name);
const expected = readSafetensors(fixture('tiny-expected.safetensors'));
const expectedDtypes = JSON.parse(expected.metadata.dtypes!) as Record<string, string>;
const expectedOrder = JSON.parse(expected.metadata.order!) as string[];
const expectedShapes = JSON.parse(expected.metadata.shapes!) as Record<string, number[]>;

function expectMatchesTorch(actual: StateDict): void {
  expect([...actual.keys()]).toEqual(expectedOrder);
  for (const [name, want] of expected.tensors) {
    const got = actual.get(name)!;
    expect(got.dtype, name).toBe(expectedDtypes[name]);
    expect(got.shape, name).toEqual(expectedShapes[name]);
    expect(Array.from(got.data), name).toEqual(Array.from(want.data)); // bit-exact
  }
}

function expectCode(read: () => unknown, code: RcnnError['code'], message?: RegExp): void {
  try {
    read();
    expect.unreachable('should have thrown');
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(RcnnError);
    expect((error as RcnnError).code, String(error)).toBe(code);
    if (message) expect((error as RcnnError).message).toMatch(message);
  }
}

/** Re-zips a .pth with `edit` applied to its entries (fflate: level 0 = STORED, 6 = DEFLATE). */
function rezip(bytes: Uint8Array, edit: (files: Record<string, Uint8Array>) => void, level: 0 | 6 = 0) {
  const files = unzipSync(bytes);
  edit(files);
  const zippable: Zippable = {};
  for (const [name, data] of Object.entries(files)) zippable[name] = [data, { level }];
  return zipSync(zippable);
}

describe('readPth', () => {
  it.each([
    ['zip, pickle protocol 2', 'tiny.pth'],
    ['zip, pickle protocol 4', 'tiny-protocol4.pth'],
    ['legacy (non-zip) format', 'tiny-legacy.pth'],
    ['a {model, epoch} checkpoint', 'wrapped.pth'],
  ])('reads %s exactly as torch.load does', (_, name) => {
    expectMatchesTorch(readPth(fixture(name)));
  });

  it('copies views out: strided, offset, transposed and expanded tensors share one storage', () => {
    const sd = readPth(fixture('tiny.pth'));
    expect(Array.from(sd.get('view.slice')!.data)).toEqual([6, 8, 10, 12, 14, 16]);
    expect(Array.from(sd.get('view.column')!.data)).toEqual([5, 11, 17, 23]);
    expect(sd.get('view.expanded')!.shape).toEqual([3, 4]);
    expect(sd.get('scalar')!.shape).toEqual([]);
    expect(sd.get('empty')!.data.length).toBe(0);
    // Arrays are independent copies, never views into the file or each other.
    const buffers = new Set([...sd.values()].map((t) => t.data.buffer));
    expect(buffers.size).toBe(sd.size);
  });

  it('reads DEFLATE-compressed storages and any top-level directory name', () => {
    const renamed = rezip(
      fixture('tiny.pth'),
      (files) => {
        for (const name of Object.keys(files)) {
          files[name.replace(/^tiny\//, 'archive/')] = files[name]!;
          delete files[name];
        }
      },
      6,
    );
    expect(Object.keys(unzipSync(renamed))[0]).toMatch(/^archive\//);
    expectMatchesTorch(readPth(renamed));
  });

  it('unwraps a training checkpoint once its extra globals are allowed', () => {
    const bytes = fixture('train-checkpoint.pth');
    expectCode(() => readPth(bytes), 'UNSAFE_PICKLE', /"argparse\.Namespace"/);
    const sd = readPth(bytes, { allowGlobals: ['argparse.Namespace'] });
    expect([...sd.keys()]).toEqual(expectedOrder.slice(0, 9)); // the TinyNet entries
    for (const [name, tensor] of sd) expect(tensor.shape, name).toEqual(expectedShapes[name]);
    // Buffers are untouched by the optimizer step the generator took, so they match exactly.
    for (const name of ['bn.running_mean', 'bn.running_var']) {
      expect(Array.from(sd.get(name)!.data)).toEqual(Array.from(expected.tensors.get(name)!.data));
    }

    const read = readPthCheckpoint(bytes, { allowGlobals: ['argparse.Namespace'] });
    const checkpoint = read as Map<string, unknown>;
    expect(checkpoint.get('epoch')).toBe(3);
    const args = checkpoint.get('args') as PickleObject;
    expect(args).toBeInstanceOf(PickleObject);
    expect((args.state as Map<string, unknown>).get('data_path')).toBe('/datasets/coco');
    const scheduler = checkpoint.get('lr_scheduler') as Map<string, unknown>;
    expect(scheduler.get('milestones')).toEqual(
      new Map([
        [16, 1],
        [22, 1],
      ]),
    ); // collections.Counter
    const optimizer = checkpoint.get('optimizer') as Map<string, Map<unknown, Map<string, unknown>>>;
    expect(isWeightTensor(optimizer.get('state')!.get(0)!.get('momentum_buffer'))).toBe(true);
    expect(extractStateDict(read)).toEqual(sd);
    expect(extractStateDict(read, 'model')).toEqual(sd);
  });

  it('selects the state_dict by key and explains what it found otherwise', () => {
    const bytes = fixture('wrapped.pth');
    expectMatchesTorch(readPth(bytes, { key: 'model' }));
    expectCode(() => readPth(bytes, { key: 'ema' }), 'INVALID_ARGUMENT', /no entry "ema".*model, epoch/);
    expectCode(() => readPth(bytes, { key: 'epoch' }), 'INVALID_WEIGHTS', /"epoch" is a number/);
    const checkpoint = readPthCheckpoint(bytes);
    expect((checkpoint as Map<string, unknown>).get('epoch')).toBe(3);
    expectCode(() => extractStateDict(new Map([['epoch', 3]])), 'INVALID_WEIGHTS', /keys \[epoch\]/);
  });

  it.each([
    ['os.system via __reduce__ (protocol 2)', 'malicious-system.pth', /"posix\.system"/],
    ['builtins.eval via STACK_GLOBAL (protocol 4)', 'malicious-eval-protocol4.pth', /"builtins\.eval"/],
    ['os.system in a legacy file', 'malicious-legacy.pth', /"posix\.system"/],
  ])('refuses %s without running it', (_, name, message) => {
    expectCode(() => readPth(fixture(name)), 'UNSAFE_PICKLE', message);
    expectCode(() => readPthCheckpoint(fixture(name)), 'UNSAFE_PICKLE', message);
    // Even when allowed, the global is only recorded: nothing is called.
    const inert = readPthCheckpoint(fixture(name), { allowGlobals: ['posix.system', 'builtins.eval'] });
    const payload = [...(inert as Map<string, unknown>).values()].find((v) => v instanceof PickleObject);
    expect((payload as PickleObject).args[0]).toMatch(/echo pwned/);
  });

  it.each([
    [
      'a missing storage record',
      (f: Record<string, Uint8Array>) => delete f['tiny/data/0'],
      'INVALID_WEIGHTS',
      /"tiny\/data\/0" is missing/,
    ],
    [
      'a short storage record',
      (f: Record<string, Uint8Array>) => (f['tiny/data/0'] = f['tiny/data/0']!.subarray(4)),
      'INVALID_WEIGHTS',
      /record 0/,
    ],
    [
      'no data.pkl',
      (f: Record<string, Uint8Array>) => delete f['tiny/data.pkl'],
      'INVALID_WEIGHTS',
      /no <dir>\/data\.pkl/,
    ],
    [
      'a TorchScript archive',
      (f: Record<string, Uint8Array>) => (f['tiny/constants.pkl'] = new Uint8Array(1)),
      'UNSUPPORTED',
      /TorchScript/,
    ],
    [
      'big-endian storages',
      (f: Record<string, Uint8Array>) => (f['tiny/byteorder'] = new TextEncoder().encode('big')),
      'UNSUPPORTED',
      /big-endian/,
    ],
  ] as const)('rejects %s clearly', (_, edit, code, message) => {
    expectCode(() => readPth(rezip(fixture('tiny.pth'), edit)), code, message);
  });

  it('follows zip64 end-of-directory records when the 32-bit fields are saturated', () => {
    // torch always writes a zip64 record; saturating the classic record forces its use.
    const bytes = fixture('tiny.pth').slice();
    const view = new DataView(bytes.buffer);
    const end = bytes.length - 22;
    expect(view.getUint32(end, true)).toBe(0x06054b50);
    view.setUint16(end + 8, 0xffff, true);
    view.setUint16(end + 10, 0xffff, true);
    view.setUint32(end + 12, 0xffffffff, true);
    view.setUint32(end + 16, 0xffffffff, true);
    expectMatchesTorch(readPth(bytes));
  });

  it('rejects files that are not torch.save output', () => {
    expectCode(() => readPth(new Uint8Array(0)), 'INVALID_WEIGHTS', /not a torch\.save file/);
    expectCode(() => readPth(new TextEncoder().encode('{"a": 1}')), 'INVALID_WEIGHTS');
    expectCode(() => readPth(fixture('tiny-expected.safetensors')), 'INVALID_WEIGHTS');
  });
});

describe('readStateDict', () => {
  it('chooses safetensors or .pth by content', () => {
    expect(detectWeightsFormat(fixture('tiny.pth'))).toBe('pth');
    expect(detectWeightsFormat(fixture('tiny-legacy.pth'))).toBe('pth');
    expect(detectWeightsFormat(fixture('tiny-expected.safetensors'))).toBe('safetensors');
    expect(readStateDict(fixture('tiny-expected.safetensors')).get('conv.weight')!.shape).toEqual([
      4, 3, 3, 3,
    ]);
    expectMatchesTorch(readStateDict(fixture('wrapped.pth')));
    expectCode(
      () => readStateDict(new Uint8Array(16)),
      'INVALID_WEIGHTS',
      /neither safetensors nor.*starts 00 00/,
    );
  });

  it('reports a safetensors file with a corrupt header length as safetensors, saying what is wrong', () => {
    const bytes = fixture('tiny-expected.safetensors').slice();
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 62n, true);
    expect(detectWeightsFormat(bytes)).toBe('safetensors');
    expectCode(
      () => readStateDict(bytes),
      'INVALID_WEIGHTS',
      /^safetensors: the header length \(first 8 bytes, little-endian\) says 4611686018427387904 bytes, but only/,
    );
  });
});
