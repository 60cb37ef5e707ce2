import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflate } from 'node:zlib';
import type { RgbImage } from '@rcnn/core';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, tail]);
}

/** The filtered scanlines of `small` with every pixel a `factor x factor` block; repeated rows use filter Up (all zeros). */
function* scanlines(small: RgbImage, factor: number): Generator<Buffer> {
  const rowBytes = small.width * factor * 3;
  const repeat = Buffer.alloc(1 + rowBytes); // filter 2 (Up), zero differences
  repeat[0] = 2;
  for (let y = 0; y < small.height; y++) {
    const row = Buffer.alloc(1 + rowBytes); // filter 0 (None)
    for (let x = 0; x < small.width; x++) {
      const pixel = small.data.subarray((y * small.width + x) * 3, (y * small.width + x + 1) * 3);
      for (let k = 0; k < factor; k++) row.set(pixel, 1 + (x * factor + k) * 3);
    }
    yield row;
    for (let k = 1; k < factor; k++) yield repeat;
  }
}

/**
 * Writes `small` enlarged `factor` times (each pixel a flat block) as an 8-bit RGB PNG at
 * `path`, streaming: the full-size pixels are never held, and the file stays small (repeated
 * rows deflate to almost nothing). Area-averaging it back down by `factor` gives `small` exactly.
 */
export async function writeUpscaledPng(path: string, small: RgbImage, factor: number): Promise<void> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(small.width * factor, 0);
  header.writeUInt32BE(small.height * factor, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, adaptive filters, no interlace
  const compressed: Buffer[] = [];
  await pipeline(Readable.from(scanlines(small, factor)), createDeflate(), async (source) => {
    for await (const part of source) compressed.push(part as Buffer);
  });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const file = createWriteStream(path);
  await pipeline(
    Readable.from([
      signature,
      chunk('IHDR', header),
      chunk('IDAT', Buffer.concat(compressed)),
      chunk('IEND', new Uint8Array()),
    ]),
    file,
  );
}
