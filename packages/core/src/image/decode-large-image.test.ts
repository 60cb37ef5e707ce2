import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { resizedImageSize } from '../transform/resized-image-size';
import { crc32 } from '../weights/pth/crc32';
import { PNG_SIGNATURE } from './png-decode';
import { sizePlan } from './shrink-to';

// A 9000x8000 RGB PNG (72 megapixels, ~3 MB) made of 10x10 blocks of one colour each,
// decoded with fitWithin [800, 1333] in a separate Node process so its peak RSS is its
// own. The fit is 900x800, a factor of exactly 10, so the area average of each block is
// its colour: the reference is the 900x800 image of block colours (the "smaller
// equivalent"), compared exactly.
const WIDTH = 9000;
const HEIGHT = 8000;
const BLOCK = 10;
/** Generous bound on the decoder's extra peak RSS (measured: ~65 MB; a full decode takes ~250 MB, before this change ~625 MB). */
const PEAK_BOUND_MB = 200;

const blockColor = (bx: number, by: number): [number, number, number] => [
  (bx * 7 + by * 3) & 255,
  (bx * by) & 255,
  ((bx ^ by) * 5) & 255,
];

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Each block's first row is written plainly, the other nine as "Up" rows of zeros (they compress to nothing). */
function blockPng(): Uint8Array {
  const rowBytes = WIDTH * 3 + 1;
  const raw = new Uint8Array(rowBytes * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    const offset = y * rowBytes;
    if (y % BLOCK !== 0) {
      raw[offset] = 2;
      continue;
    }
    for (let x = 0; x < WIDTH; x++) raw.set(blockColor(Math.floor(x / BLOCK), y / BLOCK), offset + 1 + x * 3);
  }
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, WIDTH);
  new DataView(header.buffer).setUint32(4, HEIGHT);
  header.set([8, 2, 0, 0, 0], 8);
  const parts = [
    Uint8Array.from(PNG_SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 1 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The child: decodes the file with the fit, reports its peak RSS before and after, writes the pixels. */
const CHILD = `
import { readFileSync, writeFileSync } from 'node:fs';
import { decodePng } from './png-decode';
import { sizePlan } from './shrink-to';
const [input, output] = process.argv.slice(2);
const bytes = readFileSync(input);
const before = process.resourceUsage().maxRSS;
const image = decodePng(bytes, sizePlan({ fitWithin: [800, 1333] }));
const after = process.resourceUsage().maxRSS;
writeFileSync(output, image.data);
const { width, height, originalWidth, originalHeight, scaleX, scaleY } = image;
console.log(JSON.stringify({ before, after, width, height, originalWidth, originalHeight, scaleX, scaleY }));
`;

const work = mkdtempSync(join(tmpdir(), 'rcnn-large-png-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('decodeImagePixels with fitWithin on a 72-megapixel PNG', () => {
  it('shrinks while decoding, in bounded memory, to the block colours', () => {
    // esbuild (vite's) bundles the TypeScript sources into one script for a plain Node child.
    const esbuild = createRequire(createRequire(import.meta.url).resolve('vite'))('esbuild') as {
      buildSync(options: object): unknown;
    };
    const script = join(work, 'child.mjs');
    esbuild.buildSync({
      stdin: { contents: CHILD, resolveDir: dirname(fileURLToPath(import.meta.url)), loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'error',
    });
    const png = blockPng();
    expect(png.length).toBeLessThan(5e6);
    writeFileSync(join(work, 'big.png'), png);
    const child = spawnSync(process.execPath, [script, join(work, 'big.png'), join(work, 'out.rgb')], {
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout);
    expect(report).toMatchObject({
      width: 900,
      height: 800,
      originalWidth: WIDTH,
      originalHeight: HEIGHT,
      scaleX: 10,
      scaleY: 10,
    });
    const peakMegabytes = (report.after - report.before) / 1024; // maxRSS is in KiB
    console.info(`72 MP PNG with fitWithin: peak RSS +${peakMegabytes.toFixed(0)} MB over the loaded file`);
    expect(peakMegabytes).toBeLessThan(PEAK_BOUND_MB);
    const pixels = readFileSync(join(work, 'out.rgb'));
    let mismatches = 0;
    for (let by = 0; by < 800; by++) {
      for (let bx = 0; bx < 900; bx++) {
        const want = blockColor(bx, by);
        for (let c = 0; c < 3; c++) if (pixels[(by * 900 + bx) * 3 + c] !== want[c]) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('picks a size the model transform keeps (no second resample)', () => {
    const plan = sizePlan({ fitWithin: [800, 1333] })!;
    for (const [width, height] of [
      [9990, 9990],
      [8000, 6000],
      [9000, 8000],
      [4000, 12000],
      [20000, 3],
    ] as const) {
      const [fitWidth, fitHeight] = plan(width, height)!;
      expect(fitWidth).toBeLessThanOrEqual(width);
      expect(fitHeight).toBeLessThanOrEqual(height);
      if (fitHeight > 1)
        expect(resizedImageSize([fitHeight, fitWidth], 800, 1333)).toEqual([fitHeight, fitWidth]);
    }
    expect(plan(9990, 9990)).toEqual([800, 800]);
    expect(plan(1333, 800)).toBeUndefined(); // already the model's size
    expect(plan(640, 480)).toBeUndefined(); // the transform enlarges it: decoded as is
  });
});
