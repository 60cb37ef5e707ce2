import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32';

describe('crc32', () => {
  it('matches the standard check values (zlib.crc32 / binascii.crc32)', () => {
    const ascii = (text: string) => new TextEncoder().encode(text);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926); // the CRC-32 check value
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('gives the same result for every split and length (fast and tail paths agree)', () => {
    const bytes = Uint8Array.from({ length: 77 }, (_, i) => (i * 131 + 7) & 0xff);
    const whole = crc32(bytes);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(crc32(bytes.subarray(cut), crc32(bytes.subarray(0, cut)))).toBe(whole);
    }
    // Byte-at-a-time reference, to check the 8-byte path independently.
    let c = 0xffffffff;
    for (const byte of bytes) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    expect(whole).toBe((c ^ 0xffffffff) >>> 0);
  });
});
