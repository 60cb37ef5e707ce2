import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { type ImageInput, imageToTensor } from './image-to-tensor';

const WIDTH = 3;
const HEIGHT = 2;
const rgba = Uint8ClampedArray.from({ length: WIDTH * HEIGHT * 4 }, (_, i) => (i * 11) % 256);
const rgbOf = (pixels: ArrayLike<number>) => Array.from(pixels).filter((_, i) => i % 4 !== 3);

/** Stands in for an HTMLCanvasElement / OffscreenCanvas: fromPixels reads it via getContext('2d'). */
function fakeCanvas(): ImageInput {
  return {
    width: WIDTH,
    height: HEIGHT,
    getContext: () => ({ getImageData: () => ({ data: rgba, width: WIDTH, height: HEIGHT }) }),
  } as unknown as HTMLCanvasElement;
}

describeEachBackend('imageToTensor', () => {
  it('converts RGBA pixels (ImageData, tf.PixelData) without a DOM, dropping alpha', async () => {
    for (const data of [rgba, new Uint8Array(rgba)]) {
      const image = imageToTensor({ data, width: WIDTH, height: HEIGHT });
      expect(image.shape).toEqual([HEIGHT, WIDTH, 3]);
      expect(image.dtype).toBe('int32');
      expect(Array.from(await image.data())).toEqual(rgbOf(rgba));
      image.dispose();
    }
  });

  it('reads canvas-like sources through tf.browser.fromPixels', async () => {
    const image = imageToTensor(fakeCanvas());
    expect(image.shape).toEqual([HEIGHT, WIDTH, 3]);
    expect(Array.from(await image.data())).toEqual(rgbOf(rgba));
    image.dispose();
  });

  it('validates and copies tensors: 3 channels kept, alpha dropped, gray repeated, dtype kept', async () => {
    const rgb = tf.tensor3d(rgbOf(rgba), [HEIGHT, WIDTH, 3], 'int32');
    const copy = imageToTensor(rgb);
    expect(copy).not.toBe(rgb);
    copy.dispose();
    expect(rgb.isDisposed).toBe(false); // the caller's input is never disposed
    const withAlpha = tf.tensor3d(Array.from(rgba), [HEIGHT, WIDTH, 4], 'float32');
    const dropped = imageToTensor(withAlpha);
    expect(dropped.dtype).toBe('float32');
    expect(Array.from(await dropped.data())).toEqual(rgbOf(rgba));
    const gray = imageToTensor(tf.tensor3d([1, 2, 3, 4, 5, 6], [HEIGHT, WIDTH, 1]));
    expect(Array.from(await gray.data())).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6]);
    tf.dispose([rgb, withAlpha, dropped, gray]);
  });

  it.each([
    ['a [H, W, 2] tensor', 'INVALID_SHAPE', () => tf.zeros([2, 2, 2]) as tf.Tensor3D],
    ['an empty tensor', 'INVALID_SHAPE', () => tf.zeros([0, 2, 3]) as tf.Tensor3D],
    ['RGBA of the wrong length', 'INVALID_IMAGE', () => ({ data: new Uint8Array(5), width: 2, height: 2 })],
    [
      'a video with no frame yet',
      'INVALID_IMAGE',
      () => ({ videoWidth: 0, videoHeight: 0 }) as HTMLVideoElement,
    ],
    [
      'a canvas without a 2d context',
      'INVALID_IMAGE',
      () => ({ width: 2, height: 2, getContext: () => null }) as unknown as OffscreenCanvas,
    ],
  ] as const)('rejects %s with %s', (_, code, make) => {
    const input = make();
    try {
      imageToTensor(input);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(RcnnError);
      expect((error as RcnnError).code).toBe(code);
    } finally {
      if (input instanceof tf.Tensor) input.dispose();
    }
  });

  it('does not leak tensors on any path', async () => {
    const rgb = tf.zeros([HEIGHT, WIDTH, 4]) as tf.Tensor3D;
    await expectNoLeaks(() => imageToTensor(rgb).dispose());
    await expectNoLeaks(() => imageToTensor({ data: rgba, width: WIDTH, height: HEIGHT }).dispose());
    await expectNoLeaks(() => imageToTensor(fakeCanvas()).dispose());
    const wrongRank = tf.zeros([1, 1, 1, 1]);
    await expectNoLeaks(() => expect(() => imageToTensor(wrongRank as never)).toThrowError(RcnnError));
    tf.dispose([rgb, wrongRank]);
  });
});
