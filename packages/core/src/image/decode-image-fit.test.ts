import { describeEachBackend, expectNoLeaks, seededRandom } from '@rcnn/test-utils';
import * as jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { resizedImageSize } from '../transform/resized-image-size';
import { AreaDownscaler } from './area-downscaler';
import { decodeImage, decodeImagePixels } from './decode-image';
import { encodePng } from './encode-png';

const [WIDTH, HEIGHT] = [61, 47];
const FIT = [20, 30] as const; // the transform makes 61x47 25x19, then keeps 26x20
const random = seededRandom(17);
const pixels = Uint8Array.from({ length: WIDTH * HEIGHT * 3 }, () => Math.floor(random() * 256));
const png = encodePng(pixels, WIDTH, HEIGHT);
const rgba = new Uint8Array(WIDTH * HEIGHT * 4).map((_, i) =>
  i % 4 === 3 ? 255 : pixels[(i >> 2) * 3 + (i % 4)]!,
);
const jpg = new Uint8Array(jpeg.encode({ data: rgba, width: WIDTH, height: HEIGHT }, 90).data);

/** Full decode, then the (separately tested) area average: what shrinking while decoding must equal. */
function shrinkAfterDecoding(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const full = decodeImagePixels(bytes);
  const downscaler = new AreaDownscaler(full.width, full.height, width, height);
  for (let y = 0; y < full.height; y++)
    downscaler.addRow(y, full.data.subarray(y * full.width * 3, (y + 1) * full.width * 3));
  return downscaler.finish();
}

describe('decodeImagePixels with fitWithin', () => {
  it.each([
    ['PNG', png],
    ['JPEG', jpg],
  ])('shrinks a %s to the transform size, equal to decoding then area-averaging', (_, bytes) => {
    expect(resizedImageSize([HEIGHT, WIDTH], ...FIT)).toEqual([19, 25]);
    const [width, height] = [26, 20]; // a pixel more, so that the transform keeps it:
    expect(resizedImageSize([height, width], ...FIT)).toEqual([height, width]);
    const image = decodeImagePixels(bytes, { fitWithin: FIT });
    expect(image).toMatchObject({ width, height, originalWidth: WIDTH, originalHeight: HEIGHT });
    expect(image.scaleX).toBe(WIDTH / width);
    expect(image.scaleY).toBe(HEIGHT / height);
    expect(image.data).toEqual(shrinkAfterDecoding(bytes, width, height));
  });

  it('keeps the full size (scale 1) for images within the fit or under resizeAbovePixels', () => {
    const full = decodeImagePixels(png);
    expect(full).toMatchObject({ width: WIDTH, height: HEIGHT, scaleX: 1, scaleY: 1, originalWidth: WIDTH });
    expect(full.data).toEqual(pixels);
    expect(decodeImagePixels(png, { fitWithin: [800, 1333] }).data).toEqual(pixels);
    const under = decodeImagePixels(png, { fitWithin: FIT, resizeAbovePixels: WIDTH * HEIGHT });
    expect(under).toMatchObject({ width: WIDTH, height: HEIGHT, scaleX: 1, scaleY: 1 });
    expect(decodeImagePixels(png, { fitWithin: FIT, resizeAbovePixels: WIDTH * HEIGHT - 1 }).width).toBe(26);
  });

  it.each([
    [{ fitWithin: [0, 10] }],
    [{ fitWithin: [800] }],
    [{ fitWithin: '800x1333' }],
    [{ fitWithin: [800, Number.NaN] }],
    [{ fitWithin: [800, 1333], resizeAbovePixels: -1 }],
  ])('refuses invalid options %j with INVALID_ARGUMENT', (options) => {
    const decode = () => decodeImagePixels(png, options as never);
    expect(decode).toThrowError(RcnnError);
    expect(decode).toThrowError(/fitWithin|resizeAbovePixels/);
  });
});

describeEachBackend('decodeImage with fitWithin', () => {
  it('gives the shrunk tensor, without leaks', async () => {
    const tensor = decodeImage(png, { fitWithin: FIT });
    expect(tensor.shape).toEqual([20, 26, 3]);
    expect(Array.from(await tensor.data())).toEqual(Array.from(shrinkAfterDecoding(png, 26, 20)));
    tensor.dispose();
    await expectNoLeaks(() => decodeImage(jpg, { fitWithin: FIT }).dispose());
  });
});
