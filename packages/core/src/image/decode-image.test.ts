import { describeEachBackend, expectNoLeaks, readFixtureBytes, seededRandom } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { readSafetensors } from '../weights/safetensors';
import { decodeImage, decodeImagePixels } from './decode-image';
import { encodePng } from './encode-png';
import { detectImageFormat } from './image-format';

const fixture = (name: string) => readFixtureBytes(import.meta.url, name);
// PIL (libjpeg) decodes of the fixtures, written by tools/reference/gen_core_pth.py.
const expected = readSafetensors(fixture('expected-rgb.safetensors')).tensors;

function differences(actual: Uint8Array, want: ArrayLike<number>): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - want[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / actual.length };
}

describe('decodeImage (JPEG)', () => {
  // jpeg-js vs libjpeg (PIL), measured: 4:4:4 max 2 / mean 0.51 levels, gray 1 / 0.08,
  // photo-like 4:2:0 6 / 0.73, progressive 4:2:0 5 / 0.77 (jpeg-js upsamples chroma
  // by repetition, libjpeg with its "fancy" triangle filter). Bounds sit just above.
  it.each([
    ['rgb-444.jpg', 2, 0.6],
    ['gray.jpg', 1, 0.1],
    ['photo-420.jpg', 6, 0.8],
    ['photo-progressive.jpg', 6, 0.85],
  ])('decodes %s within %i levels (mean %f) of libjpeg', (name, maxTolerance, meanTolerance) => {
    const image = decodeImagePixels(fixture(name));
    const want = expected.get(name)!;
    expect([image.height, image.width, 3]).toEqual(want.shape);
    const { max, mean } = differences(image.data, want.data);
    expect(max).toBeLessThanOrEqual(maxTolerance);
    expect(mean).toBeLessThanOrEqual(meanTolerance);
  });

  it('round-trips a jpeg-js encoded image closely and expands grayscale', () => {
    const random = seededRandom(5);
    const rgba = new Uint8Array(24 * 16 * 4).map((_, i) =>
      i % 4 === 3 ? 255 : 96 + Math.round(random() * 64),
    );
    const encoded = jpeg.encode({ data: rgba, width: 24, height: 16 }, 100).data;
    const decoded = decodeImagePixels(new Uint8Array(encoded));
    const rgb = rgba.filter((_, i) => i % 4 !== 3);
    expect(differences(decoded.data, rgb).mean).toBeLessThan(3);
    const gray = decodeImagePixels(fixture('gray.jpg')).data;
    for (let i = 0; i < gray.length; i += 3) expect(gray[i]).toBe(gray[i + 1]);
  });

  it('never throws anything but RcnnError on damaged JPEGs', () => {
    const bytes = fixture('photo-420.jpg');
    const random = seededRandom(9);
    for (let trial = 0; trial < 300; trial++) {
      const damaged = trial % 2 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes.slice();
      if (!(trial % 2)) damaged[Math.floor(random() * damaged.length)]! ^= 1 << Math.floor(random() * 8);
      try {
        decodeImagePixels(damaged);
      } catch (error) {
        expect(error, String(error)).toBeInstanceOf(RcnnError);
      }
    }
  });
});

describe('detectImageFormat / unsupported inputs', () => {
  it.each([
    ['GIF89a', 'gif'],
    ['RIFF\0\0\0\0WEBPVP8 ', 'webp'],
    ['BM\0\0', 'bmp'],
    ['II*\0', 'tiff'],
    ['hello', 'unknown'],
  ])('recognises %j as %s and refuses it with INVALID_IMAGE', (text, format) => {
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    expect(detectImageFormat(bytes)).toBe(format);
    expect(() => decodeImage(bytes)).toThrowError(RcnnError);
    expect(() => decodeImage(bytes)).toThrowError(
      format === 'unknown' ? /neither PNG nor JPEG/ : /not decoded here/,
    );
  });
});

describe('encodePng', () => {
  it.each([1, 3, 4])('round-trips %i-channel pixels through our decoder and pngjs', (channels) => {
    const [width, height] = [7, 5];
    const pixels = new Uint8Array(width * height * channels).map((_, i) => (i * 29) % 256);
    const png = encodePng(pixels, width, height);
    const reference = PNG.sync.read(Buffer.from(png));
    expect([reference.width, reference.height]).toEqual([width, height]);
    const rgb = decodeImagePixels(png).data;
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) {
        const source = pixels[p * channels + (channels === 1 ? 0 : c)]!;
        expect(rgb[p * 3 + c]).toBe(source);
        expect(reference.data[p * 4 + c]).toBe(source);
      }
      if (channels === 4) expect(reference.data[p * 4 + 3]).toBe(pixels[p * 4 + 3]);
    }
  });

  it('rejects sizes that do not match the pixels', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrowError(/1, 3 or 4 channels/);
    expect(() => encodePng(new Uint8Array(0), 0, 2)).toThrowError(RcnnError);
  });
});

describeEachBackend('decodeImage', () => {
  it('returns an int32 [H, W, 3] tensor equal to the decoded pixels', async () => {
    const image = decodeImage(fixture('rgba.png'));
    expect(image.shape).toEqual([12, 16, 3]);
    expect(image.dtype).toBe('int32');
    expect(Array.from(await image.data())).toEqual(Array.from(expected.get('rgba.png')!.data));
    image.dispose();
  });

  it('does not leak tensors', async () => {
    await expectNoLeaks(() => decodeImage(fixture('photo-420.jpg')).dispose());
    await expectNoLeaks(() => expect(() => decodeImage(new Uint8Array(4))).toThrowError(RcnnError));
  });

  it('leaves the tensor usable by ops of the active backend', () => {
    const image = decodeImage(fixture('gray.png'));
    const mean = tf.tidy(() => tf.mean(tf.cast(image, 'float32')));
    const pixels = Array.from(expected.get('gray.png')!.data);
    expect(mean.dataSync()[0]).toBeCloseTo(pixels.reduce((a, b) => a + b, 0) / pixels.length, 3);
    tf.dispose([image, mean]);
  });
});
