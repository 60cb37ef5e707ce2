import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { fixtureArray } from './__fixtures__/transform';
import { resizedImageSize } from './resized-image-size';

describe('resizedImageSize (torchvision _resize_image_and_masks output size)', () => {
  it('matches torchvision at 800/1333 for every fixture size (a float64 formula misses ~40%)', () => {
    const rows = fixtureArray('sizes800').data;
    let naiveMisses = 0;
    for (let i = 0; i < rows.length; i += 4) {
      const [height, width, resizedHeight, resizedWidth] = Array.from(rows.subarray(i, i + 4));
      expect(resizedImageSize([height!, width!], 800, 1333), `${height}x${width}`).toEqual([
        resizedHeight,
        resizedWidth,
      ]);
      const scale = Math.min(800 / Math.min(height!, width!), 1333 / Math.max(height!, width!));
      if (Math.floor(height! * scale) !== resizedHeight || Math.floor(width! * scale) !== resizedWidth)
        naiveMisses++;
    }
    // The fixture discriminates: a plain float64 computation would fail it.
    expect(naiveMisses).toBeGreaterThan(10);
  });

  it('rejects non-positive sizes with RcnnError', () => {
    expect(() => resizedImageSize([0, 10], 800, 1333)).toThrow(RcnnError);
    expect(() => resizedImageSize([10.5, 10], 800, 1333)).toThrow(RcnnError);
    expect(() => resizedImageSize([10, 10], 0, 1333)).toThrow(RcnnError);
    expect(() => resizedImageSize([10, 10], 800, Number.NaN)).toThrow(/positive/);
  });
});
