import { readFixtureBytes, seededRandom } from '@rcnn/test-utils';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { RcnnError } from '../../errors/rcnn-error';
import { readPth, readPthCheckpoint } from './read-pth';

const fixture = (name: string) => readFixtureBytes(import.meta.url, name);

/** Reading must either succeed or throw RcnnError: never another error type, never a hang. */
function expectRcnnErrorOrResult(bytes: Uint8Array, label: string): 'ok' | RcnnError['code'] {
  for (const read of [() => readPth(bytes), () => readPthCheckpoint(bytes)]) {
    try {
      read();
    } catch (error) {
      if (!(error instanceof RcnnError)) throw new Error(`${label}: ${String(error)}`, { cause: error });
      // The reader's own checks must catch the damage, not its last-resort guard.
      expect(error.message, label).not.toMatch(/unreadable file/);
      return error.code;
    }
  }
  return 'ok';
}

function flipBits(bytes: Uint8Array, random: () => number, flips: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < flips; i++) out[Math.floor(random() * out.length)]! ^= 1 << Math.floor(random() * 8);
  return out;
}

describe('readPth on damaged files', { timeout: 60_000 }, () => {
  it.each(['tiny.pth', 'tiny-legacy.pth'])('gives INVALID_WEIGHTS for every truncation of %s', (name) => {
    const bytes = fixture(name);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(expectRcnnErrorOrResult(bytes.subarray(0, cut), `cut at ${cut}`), `cut at ${cut}`).toBe(
        'INVALID_WEIGHTS',
      );
    }
  });

  it.each(['tiny.pth', 'tiny-legacy.pth', 'train-checkpoint.pth'])(
    'survives random bit flips in %s',
    (name) => {
      const bytes = fixture(name);
      const random = seededRandom(name.length);
      const outcomes = new Map<string, number>();
      for (let trial = 0; trial < 600; trial++) {
        const outcome = expectRcnnErrorOrResult(flipBits(bytes, random, 1 + (trial % 4)), `trial ${trial}`);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      expect(outcomes.get('INVALID_WEIGHTS') ?? 0).toBeGreaterThan(0);
    },
  );

  it('survives bit flips inside data.pkl behind a valid CRC (exercises the unpickler)', () => {
    const files = unzipSync(fixture('train-checkpoint.pth'));
    const pickle = files['train-checkpoint/data.pkl']!;
    const random = seededRandom(7);
    let refused = 0;
    for (let trial = 0; trial < 800; trial++) {
      const damaged = { ...files, 'train-checkpoint/data.pkl': flipBits(pickle, random, 1 + (trial % 3)) };
      if (expectRcnnErrorOrResult(zipSync(damaged, { level: 0 }), `trial ${trial}`) !== 'ok') refused++;
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('survives random byte runs written over a legacy file', () => {
    const bytes = fixture('tiny-legacy.pth');
    const random = seededRandom(11);
    for (let trial = 0; trial < 400; trial++) {
      const damaged = bytes.slice();
      const start = Math.floor(random() * damaged.length);
      for (let i = start; i < Math.min(damaged.length, start + 1 + Math.floor(random() * 16)); i++) {
        damaged[i] = Math.floor(random() * 256);
      }
      expectRcnnErrorOrResult(damaged, `trial ${trial}`);
    }
  });
});
