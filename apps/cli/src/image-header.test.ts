import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeImagePixels, RcnnError, readImageHeader } from '@rcnn/core';
import { seededRandom } from '@rcnn/test-utils';
import { describe, expect, it } from 'vitest';
import { demoScenePng } from '../scripts/demo-scene';

const coreFixture = (name: string) =>
  new Uint8Array(
    readFileSync(
      fileURLToPath(new URL(`../../../packages/core/src/image/__fixtures__/${name}`, import.meta.url)),
    ),
  );

// The CLI checks every --image with core's readImageHeader before building a model.
describe('readImageHeader (core) on what rcnn predict is given', () => {
  it.each(['photo-420.jpg', 'photo-progressive.jpg', 'gray.jpg', 'rgb-444.jpg'])(
    'reads the size of %s as the full decoder does',
    (name) => {
      const bytes = coreFixture(name);
      const { width, height } = decodeImagePixels(bytes);
      expect(readImageHeader(bytes)).toEqual({ format: 'jpeg', width, height });
    },
  );

  it('reads a PNG size', () => {
    expect(readImageHeader(demoScenePng(64, 48))).toEqual({ format: 'png', width: 64, height: 48 });
  });

  it('says what is wrong with other files', () => {
    expect(() => readImageHeader(new TextEncoder().encode('hello'))).toThrow(
      /5 bytes that are neither PNG nor JPEG/,
    );
    expect(() => readImageHeader(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]))).toThrow(
      /GIF images are not decoded here; convert to PNG\/JPEG/,
    );
    expect(() => readImageHeader(demoScenePng(8, 8).subarray(0, 20))).toThrow(
      /PNG: IHDR is not the first chunk \(truncated or corrupt file\)/,
    );
    expect(() => readImageHeader(coreFixture('photo-420.jpg').subarray(0, 40))).toThrow(/JPEG: /);
  });

  it('fuzz: truncated, corrupted and random bytes give a size or an RcnnError, never anything else', () => {
    const random = seededRandom(99);
    const seeds = [coreFixture('photo-420.jpg'), coreFixture('gray.jpg'), demoScenePng(16, 12)];
    for (let trial = 0; trial < 3000; trial++) {
      const seed = seeds[trial % seeds.length]!;
      const bytes = seed.slice(0, Math.floor(random() * Math.min(seed.length, 2000)));
      for (let flips = Math.floor(random() * 4); flips > 0; flips--) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      try {
        const { width, height } = readImageHeader(bytes);
        // height 0 only for a JPEG whose height comes later (DNL marker)
        expect(width > 0 && height >= 0).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(RcnnError);
        expect((error as RcnnError).message).not.toContain('\n');
      }
    }
  });
});
