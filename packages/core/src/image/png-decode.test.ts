import { readFixtureBytes, seededRandom } from '@rcnn/test-utils';
import { zlibSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { readSafetensors } from '../weights/safetensors';
import { AreaDownscaler } from './area-downscaler';
import { decodeImagePixels } from './decode-image';
import { decodePng, PNG_SIGNATURE } from './png-decode';
import { channelsOf, type PngHeader, pngPasses } from './png-scanlines';

// Written by tools/reference/gen_core_pth.py (write_image_fixtures) with PIL/libpng;
// expected = PIL's convert('RGB') (16-bit: the high byte, which PIL keeps for RGB).
const fixture = (name: string) => readFixtureBytes(import.meta.url, name);
const expected = readSafetensors(fixture('expected-rgb.safetensors')).tensors;

/**
 * A PNG writer for tests: any color type and bit depth, Adam7, and row filters chosen
 * as `y % 5` so every filter (None, Sub, Up, Average, Paeth) is exercised.
 * `samples` holds channel values row-major, [height][width][channels].
 */
function writeTestPng(header: PngHeader, samples: number[], palette?: number[]): Uint8Array {
  const channels = channelsOf(header.colorType);
  const bytesPerPixel = Math.max(1, (channels * header.bitDepth) >> 3);
  const chunks: Uint8Array[] = [];
  for (const pass of pngPasses(header)) {
    let previous = new Uint8Array(pass.rowBytes);
    for (let y = 0; y < pass.height; y++) {
      const row = new Uint8Array(pass.rowBytes);
      for (let x = 0; x < pass.width; x++) {
        const pixel = (pass.yStart + y * pass.yStep) * header.width + pass.xStart + x * pass.xStep;
        for (let c = 0; c < channels; c++) {
          const value = samples[pixel * channels + c]!;
          const bit = (x * channels + c) * header.bitDepth;
          if (header.bitDepth === 16) row.set([value >> 8, value & 0xff], bit >> 3);
          else row[bit >> 3]! |= value << (8 - header.bitDepth - (bit & 7));
        }
      }
      const filter = y % 5;
      const out = new Uint8Array(pass.rowBytes + 1);
      out[0] = filter;
      for (let i = 0; i < pass.rowBytes; i++) {
        const left = i >= bytesPerPixel ? row[i - bytesPerPixel]! : 0;
        const up = previous[i]!;
        const upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel]! : 0;
        const estimate = left + up - upLeft;
        const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
        const paeth = a <= b && a <= c ? left : b <= c ? up : upLeft;
        const predictor = [0, left, up, (left + up) >> 1, paeth][filter]!;
        out[i + 1] = (row[i]! - predictor) & 0xff;
      }
      chunks.push(out);
      previous = row;
    }
  }
  const raw = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  concatenateInto(raw, chunks);
  const frame = (type: string, data: Uint8Array) => {
    const bytes = new Uint8Array(12 + data.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, data.length);
    bytes.set(
      [...type].map((ch) => ch.charCodeAt(0)),
      4,
    );
    bytes.set(data, 8);
    view.setUint32(8 + data.length, crcOf(bytes.subarray(4, 8 + data.length)));
    return bytes;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, header.width);
  new DataView(ihdr.buffer).setUint32(4, header.height);
  ihdr.set([header.bitDepth, header.colorType, 0, 0, header.interlaced ? 1 : 0], 8);
  const parts = [Uint8Array.from(PNG_SIGNATURE), frame('IHDR', ihdr)];
  if (palette) parts.push(frame('PLTE', Uint8Array.from(palette)));
  parts.push(frame('IDAT', zlibSync(raw)), frame('IEND', new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  concatenateInto(out, parts);
  return out;
}

function concatenateInto(out: Uint8Array, parts: Uint8Array[]): void {
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
}

function crcOf(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** pngjs (an independent decoder) as the reference: RGBA out, 16-bit kept, alpha ignored. */
function decodeWithPngjs(bytes: Uint8Array, bitDepth: number): number[] {
  // skipRescale keeps 16-bit samples whole (we compare high bytes) but would also leave
  // sub-byte gray unscaled, so it is only used for 16-bit files.
  const image = PNG.sync.read(Buffer.from(bytes), { skipRescale: bitDepth === 16 });
  const rgb: number[] = [];
  const data = image.data as unknown as ArrayLike<number>;
  for (let i = 0; i < image.width * image.height; i++) {
    for (let c = 0; c < 3; c++) rgb.push(bitDepth === 16 ? data[i * 4 + c]! >> 8 : data[i * 4 + c]!);
  }
  return rgb;
}

describe('decodePng', () => {
  it.each([
    'rgb.png',
    'rgba.png',
    'gray.png',
    'gray-alpha.png',
    'palette.png',
    'bilevel.png',
    'gray16.png',
    'rgb16.png',
  ])('decodes %s (written by libpng) exactly as PIL does', (name) => {
    const image = decodeImagePixels(fixture(name));
    const want = expected.get(name)!;
    expect([image.height, image.width, 3]).toEqual(want.shape);
    expect(Array.from(image.data)).toEqual(Array.from(want.data));
  });

  const cases: [number, number][] = [
    [0, 1],
    [0, 2],
    [0, 4],
    [0, 8],
    [0, 16],
    [2, 8],
    [2, 16],
    [3, 1],
    [3, 2],
    [3, 4],
    [3, 8],
    [4, 8],
    [4, 16],
    [6, 8],
    [6, 16],
  ];
  const variants = cases.flatMap(([colorType, bitDepth]) =>
    [false, true].map((interlaced) => [colorType, bitDepth, interlaced] as const),
  );
  it.each(variants)(
    'matches pngjs for color type %i, %i-bit, interlaced %s, every row filter',
    (colorType, bitDepth, interlaced) => {
      // 11x9 leaves every Adam7 pass a different, odd size (and pass 1 one pixel wide).
      const header: PngHeader = { width: 11, height: 9, bitDepth, colorType, interlaced };
      const random = seededRandom(colorType * 100 + bitDepth);
      const maximum = colorType === 3 ? 2 ** Math.min(bitDepth, 3) - 1 : 2 ** bitDepth - 1;
      const samples = Array.from({ length: 11 * 9 * channelsOf(colorType) }, () =>
        Math.round(random() * maximum),
      );
      const palette = colorType === 3 ? Array.from({ length: 8 * 3 }, (_, i) => (i * 37) % 256) : undefined;
      const png = writeTestPng(header, samples, palette);
      const ours = Array.from(decodePng(png).data);
      expect(ours).toEqual(decodeWithPngjs(png, bitDepth));
      if (colorType === 2 && bitDepth === 8) expect(ours).toEqual(samples); // and the source itself
    },
  );

  it('reads palette indices past the palette as black, like browsers', () => {
    const header: PngHeader = { width: 2, height: 1, bitDepth: 8, colorType: 3, interlaced: false };
    const png = writeTestPng(header, [0, 5], [10, 20, 30]);
    expect(Array.from(decodePng(png).data)).toEqual([10, 20, 30, 0, 0, 0]);
  });

  it.each([
    ['no signature', () => new Uint8Array([0x89, 0x50, 0x4e, 0x47]), /neither PNG nor JPEG/],
    ['a flipped CRC', () => flip(fixture('rgb.png'), 20 * 8), /CRC/],
    ['a missing IEND', () => fixture('rgb.png').subarray(0, -12), /truncated/],
    ['a bad row filter', () => writeBadFilter(), /row filter 7/],
    [
      'an impossible depth',
      () => writeTestPng({ width: 1, height: 1, bitDepth: 4, colorType: 2, interlaced: false }, [0, 0, 0]),
      /bit depth 4 is not valid/,
    ],
    [
      'a palette image without PLTE',
      () => writeTestPng({ width: 1, height: 1, bitDepth: 8, colorType: 3, interlaced: false }, [0]),
      /PLTE/,
    ],
  ])('rejects %s with INVALID_IMAGE', (_, bytes, message) => {
    expect(() => decodeImagePixels(bytes())).toThrowError(RcnnError);
    expect(() => decodeImagePixels(bytes())).toThrowError(message);
  });

  it('gives INVALID_IMAGE for every truncation and for bit flips, never another error', () => {
    const png = writeTestPng(
      { width: 11, height: 9, bitDepth: 8, colorType: 6, interlaced: true },
      Array.from({ length: 11 * 9 * 4 }, (_, i) => (i * 7) % 256),
    );
    for (let cut = 0; cut < png.length; cut++) {
      expect(() => decodeImagePixels(png.subarray(0, cut)), `cut ${cut}`).toThrowError(RcnnError);
    }
    const random = seededRandom(3);
    for (let trial = 0; trial < 500; trial++) {
      try {
        decodeImagePixels(flip(png, Math.floor(random() * png.length * 8)));
      } catch (error) {
        expect(error, String(error)).toBeInstanceOf(RcnnError);
      }
    }
  });
});

function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

function writeBadFilter(): Uint8Array {
  const header: PngHeader = { width: 1, height: 1, bitDepth: 8, colorType: 0, interlaced: false };
  const good = writeTestPng(header, [5]);
  // Rebuild with a raw scanline whose filter byte is 7.
  const idat = zlibSync(new Uint8Array([7, 5]));
  const start = 8 + 25; // signature + IHDR chunk
  const framed = new Uint8Array(12 + idat.length);
  const view = new DataView(framed.buffer);
  view.setUint32(0, idat.length);
  framed.set([0x49, 0x44, 0x41, 0x54], 4);
  framed.set(idat, 8);
  view.setUint32(8 + idat.length, crcOf(framed.subarray(4, 8 + idat.length)));
  return new Uint8Array([...good.subarray(0, start), ...framed, ...good.subarray(good.length - 12)]);
}

describe('decodePng with a size plan', () => {
  it('shrinks interlaced (Adam7) images as they stream, like decoding then area-averaging', () => {
    const header: PngHeader = { width: 23, height: 19, bitDepth: 16, colorType: 6, interlaced: true };
    const random = seededRandom(8);
    const samples = Array.from({ length: 23 * 19 * 4 }, () => Math.floor(random() * 65536));
    const png = writeTestPng(header, samples);
    const full = decodePng(png);
    const reference = new AreaDownscaler(23, 19, 7, 5);
    for (let y = 0; y < 19; y++) reference.addRow(y, full.data.subarray(y * 23 * 3, (y + 1) * 23 * 3));
    const want = reference.finish();
    const shrunk = decodePng(png, () => [7, 5]);
    expect(shrunk).toMatchObject({ width: 7, height: 5, originalWidth: 23, originalHeight: 19 });
    // Same sums in another order (pass by pass): equal up to a rounding tie.
    for (let i = 0; i < want.length; i++) expect(Math.abs(shrunk.data[i]! - want[i]!)).toBeLessThanOrEqual(1);
  });
});
