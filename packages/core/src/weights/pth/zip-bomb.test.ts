import { deflateRawSync } from 'node:zlib';
import { readFixtureBytes } from '@rcnn/test-utils';
import { unzipSync, type Zippable, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { RcnnError } from '../../errors/rcnn-error';
import { crc32 } from './crc32';
import { readPth } from './read-pth';

// tiny.pth (torch 1.13 torch.save) with one storage record replaced by 100 MB of zeros
// deflated to ~100 KB, then the central directory's sizes patched so the archive's
// metadata lies about it in the two ways a bomb can.
const BOMB_BYTES = 100_000_000;
const tiny = readFixtureBytes(import.meta.url, 'tiny.pth');

interface Member {
  readonly name: string;
  readonly method: 0 | 8;
  readonly data: Uint8Array; // as stored in the archive
  readonly size: number; // uncompressed
  readonly crc: number;
}

/** A minimal zip writer (local headers, central directory, end record), enough for readZipDirectory. */
function writeZip(members: readonly Member[]): Uint8Array {
  const names = members.map((member) => new TextEncoder().encode(member.name));
  const localSize = members.reduce((sum, member, i) => sum + 30 + names[i]!.length + member.data.length, 0);
  const directorySize = names.reduce((sum, name) => sum + 46 + name.length, 0);
  const out = new Uint8Array(localSize + directorySize + 22);
  const view = new DataView(out.buffer);
  const offsets: number[] = [];
  let cursor = 0;
  members.forEach((member, i) => {
    offsets.push(cursor);
    view.setUint32(cursor, 0x04034b50, true);
    view.setUint16(cursor + 8, member.method, true);
    view.setUint32(cursor + 14, member.crc, true);
    view.setUint32(cursor + 18, member.data.length, true);
    view.setUint32(cursor + 22, member.size, true);
    view.setUint16(cursor + 26, names[i]!.length, true);
    out.set(names[i]!, cursor + 30);
    out.set(member.data, cursor + 30 + names[i]!.length);
    cursor += 30 + names[i]!.length + member.data.length;
  });
  members.forEach((member, i) => {
    view.setUint32(cursor, 0x02014b50, true);
    view.setUint16(cursor + 10, member.method, true);
    view.setUint32(cursor + 16, member.crc, true);
    view.setUint32(cursor + 20, member.data.length, true);
    view.setUint32(cursor + 24, member.size, true);
    view.setUint16(cursor + 28, names[i]!.length, true);
    view.setUint32(cursor + 42, offsets[i]!, true);
    out.set(names[i]!, cursor + 46);
    cursor += 46 + names[i]!.length;
  });
  view.setUint32(cursor, 0x06054b50, true);
  view.setUint16(cursor + 8, members.length, true);
  view.setUint16(cursor + 10, members.length, true);
  view.setUint32(cursor + 12, directorySize, true);
  view.setUint32(cursor + 16, localSize, true);
  return out;
}

const files = unzipSync(tiny);
const name = Object.keys(files).find((file) => /\/data\/\d+$/.test(file) && files[file]!.length >= 16)!;
const declared = files[name]!.length;
const zeros = deflateRawSync(new Uint8Array(BOMB_BYTES), { level: 9 });

/** tiny.pth with `name` holding the bomb, its directory entry claiming `recordedSize`. */
function bomb(recordedSize: number): Uint8Array {
  return writeZip(
    Object.entries(files).map(([file, data]) =>
      file === name
        ? { name: file, method: 8, data: zeros, size: recordedSize, crc: crc32(files[name]!) }
        : { name: file, method: 0, data, size: data.length, crc: crc32(data) },
    ),
  );
}

function refusal(bytes: Uint8Array): RcnnError {
  try {
    readPth(bytes);
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(RcnnError);
    return error as RcnnError;
  }
  return expect.unreachable('the bomb was read');
}

describe('readPth on deflate bombs', () => {
  it('stops inflating as soon as a record passes the size its directory entry records', () => {
    // The directory (and the pickle) say `declared` bytes, and the CRC is that of the real
    // record; the data inflates to 100 MB.
    const bytes = bomb(declared);
    expect(bytes.length).toBeLessThan(BOMB_BYTES / 500);
    const error = refusal(bytes);
    expect(error.code).toBe('INVALID_WEIGHTS');
    expect(error.message).toMatch(
      `entry "${name}" inflates to more than the ${declared} bytes the archive records`,
    );
    // One inflate step (16 KiB of input, at most 1032x) past the recorded size, never the 100 MB.
    const stoppedAfter = Number(/stopped after (\d+) bytes/.exec(error.message)![1]);
    expect(stoppedAfter).toBeGreaterThan(declared);
    expect(stoppedAfter).toBeLessThanOrEqual(declared + 32_768 + 16_384 * 1032);
  });

  it('refuses a record the directory says is larger than its storage in the pickle, before inflating', () => {
    const error = refusal(bomb(BOMB_BYTES)); // the directory honestly says 100 MB
    expect(error.code).toBe('INVALID_WEIGHTS');
    expect(error.message).toBe(
      `zip: entry "${name}" is ${BOMB_BYTES} bytes by the archive's directory, but the pickle declares ` +
        `a ${declared}-byte storage for it (corrupt or forged file)`,
    );
  });

  it('still reads deflated records whose sizes agree', () => {
    const zippable: Zippable = {};
    for (const [file, data] of Object.entries(files)) zippable[file] = [data, { level: 6 }];
    const deflated = readPth(zipSync(zippable));
    const stored = readPth(tiny);
    expect([...deflated.keys()]).toEqual([...stored.keys()]);
    for (const [key, tensor] of stored) expect(deflated.get(key)!.data).toEqual(tensor.data);
  });
});
