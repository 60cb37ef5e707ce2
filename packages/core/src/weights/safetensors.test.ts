import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { readSafetensors, writeSafetensors } from './safetensors';
import type { StateDict } from './state-dict';

function sample(): StateDict {
  return new Map([
    ['a.weight', { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -7]) }],
    ['b.index', { dtype: 'int32', shape: [3], data: Int32Array.from([0, -1, 2147483647]) }],
    ['c.mask', { dtype: 'uint8', shape: [2], data: Uint8Array.from([0, 255]) }],
    ['scalar', { dtype: 'float32', shape: [], data: Float32Array.from([42]) }],
  ] as const);
}

function withHeader(header: object, dataBytes = 0): Uint8Array {
  return withRawHeader(JSON.stringify(header), dataBytes);
}

function withRawHeader(text: string, dataBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe('safetensors', () => {
  it('round-trips tensors, dtypes, shapes and metadata', () => {
    const bytes = writeSafetensors(sample(), { format: 'pt' });
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    expect([...back.tensors.keys()]).toEqual([...sample().keys()]);
    for (const [name, tensor] of sample()) {
      const read = back.tensors.get(name)!;
      expect(read.dtype).toBe(tensor.dtype);
      expect(read.shape).toEqual(tensor.shape);
      expect(Array.from(read.data)).toEqual(Array.from(tensor.data));
    }
  });

  it('reads a Node Buffer holding the file among other bytes (its slice() is a view, not a copy)', async () => {
    const { Buffer } = await import('node:buffer');
    const bytes = writeSafetensors(sample(), { format: 'pt' });
    const pool = Buffer.alloc(bytes.length + 13, 7);
    pool.set(bytes, 13);
    const back = readSafetensors(pool.subarray(13));
    for (const [name, tensor] of sample()) {
      expect(Array.from(back.tensors.get(name)!.data)).toEqual(Array.from(tensor.data));
    }
  });

  it('widens F16, BF16 and F64 and narrows I64', () => {
    const data = new Uint8Array(2 + 2 + 8 + 16);
    const view = new DataView(data.buffer);
    view.setUint16(0, 0x3c00, true); // f16 1.0
    view.setUint16(2, 0xc040, true); // bf16 -3.0
    view.setFloat64(4, 0.1, true);
    view.setBigInt64(12, -5n, true);
    view.setBigInt64(20, 7n, true);
    const header = {
      h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] },
      d: { dtype: 'F64', shape: [1], data_offsets: [4, 12] },
      i: { dtype: 'I64', shape: [2], data_offsets: [12, 28] },
    };
    const file = withHeader(header, data.length);
    file.set(data, file.length - data.length);
    const read = readSafetensors(file).tensors;
    expect(Array.from(read.get('h')!.data)).toEqual([1]);
    expect(Array.from(read.get('b')!.data)).toEqual([-3]);
    expect(read.get('d')!.data[0]).toBeCloseTo(0.1, 7);
    expect(Array.from(read.get('i')!.data)).toEqual([-5, 7]);
  });

  it.each([
    ['empty file', new Uint8Array(0), /shorter than the 8-byte/],
    ['a 6-byte file', new Uint8Array(6), /file is 6 bytes, shorter than the 8-byte header length/],
    [
      'header longer than file',
      (() => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 1000n, true);
        return b;
      })(),
      /header length \(first 8 bytes, little-endian\) says 1000 bytes, but only 8 follow in the 16-byte file/,
    ],
    [
      'a 2^62-byte header length',
      (() => {
        const b = withHeader({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4);
        new DataView(b.buffer).setBigUint64(0, 2n ** 62n, true);
        return b;
      })(),
      /says 4611686018427387904 bytes, but only \d+ follow .*corrupt length/,
    ],
    [
      'header not UTF-8',
      (() => {
        const b = new Uint8Array(12);
        new DataView(b.buffer).setBigUint64(0, 4n, true);
        b.set([0x7b, 0x7b, 0x7b, 0xff], 8);
        return b;
      })(),
      /4-byte header is not valid UTF-8/,
    ],
    [
      'header not JSON',
      (() => {
        const b = new Uint8Array(12);
        new DataView(b.buffer).setBigUint64(0, 4n, true);
        b.set([0x7b, 0x7b, 0x7b, 0x7d], 8);
        return b;
      })(),
      /4-byte header is not valid JSON \(.+\)/,
    ],
    ['header a JSON array', withRawHeader('[1, 2]'), /header is JSON array, not an object of tensors/],
    [
      'unknown dtype',
      withHeader({ x: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, 1),
      /unsupported dtype "Q8" \(read: F64, F32/,
    ],
    [
      'offsets past the end',
      withHeader({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8),
      /truncated/,
    ],
    ['size mismatch', withHeader({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /needs 12/],
    [
      'negative shape',
      withHeader({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4),
      /invalid shape/,
    ],
    [
      'overlapping tensors',
      withHeader(
        {
          x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        12,
      ),
      /overlap/,
    ],
  ])('rejects a corrupt file (%s) with a clear RcnnError', (_, bytes, message) => {
    expect(() => readSafetensors(bytes)).toThrowError(RcnnError);
    expect(() => readSafetensors(bytes)).toThrowError(message);
  });

  it('truncating a valid file anywhere gives an RcnnError, never a crash', () => {
    const bytes = writeSafetensors(sample());
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => readSafetensors(bytes.subarray(0, cut)), `cut at ${cut}`).toThrowError(RcnnError);
    }
  });
});
