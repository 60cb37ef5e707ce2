import { describeEachBackend, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { fixtureArray, fixtureImages, fixtureMeta } from './__fixtures__/transform';
import { ImageTransform } from './image-transform';

const minSize = fixtureMeta<number[]>('minSize');
const maxSize = fixtureMeta<number>('maxSize');

function pairs(data: ArrayLike<number>): [number, number][] {
  return Array.from({ length: data.length / 2 }, (_, i) => [data[2 * i]!, data[2 * i + 1]!]);
}

describeEachBackend('ImageTransform (parity with torchvision GeneralizedRCNNTransform)', () => {
  // Measured 4.8e-7; tf.image.resizeBilinear would be 8e-6 (cpu) / 2.3e-5 (wasm) off on image 1 (70x31 -> 96x42).
  it('gives torchvision resized sizes and padded batch pixels within 2e-6', () => {
    const images = fixtureImages();
    const transform = new ImageTransform({ minSize, maxSize });
    const batch = transform.toBatch(images);
    const expected = fixtureArray('batch');
    expect(batch.imageSizes).toEqual(pairs(fixtureArray('imageSizes').data));
    expect(batch.originalSizes).toEqual(fixtureMeta('imageSizes'));
    expect(batch.tensor.shape).toEqual(expected.shape);
    expect(maxAbsDiff(batch.tensor, expected.data)).toBeLessThan(2e-6);
    tf.dispose([...images, batch.tensor]);
  });

  it('reads fixedSize as [height, width] (torchvision fixed_size is (width, height))', () => {
    const [image] = fixtureImages();
    const others = fixtureImages().slice(1);
    const transform = new ImageTransform({ minSize, maxSize, fixedSize: fixtureMeta('fixedSize') });
    const batch = transform.toBatch([image!]);
    const expected = fixtureArray('fixed/batch');
    expect(batch.imageSizes).toEqual(pairs(fixtureArray('fixed/imageSizes').data));
    expect(batch.tensor.shape).toEqual(expected.shape);
    expect(maxAbsDiff(batch.tensor, expected.data)).toBeLessThan(2e-6);
    tf.dispose([image!, ...others, batch.tensor]);
  });

  it('treats int32 images as 0..255 and pads with zeros to the size divisibility', () => {
    const bytes = tf.tidy(() =>
      tf.cast(tf.mul(tf.randomUniform([21, 30, 3], 0, 1, 'float32', 5), 255), 'int32'),
    );
    const unit = tf.tidy(() => tf.div(tf.cast(bytes, 'float32'), 255) as tf.Tensor3D);
    const transform = new ImageTransform({ minSize: 40, maxSize: 60, sizeDivisibility: 16 });
    const fromBytes = transform.toBatch([bytes as tf.Tensor3D]);
    const fromUnit = transform.toBatch([unit]);
    expect(fromBytes.imageSizes).toEqual([[40, 57]]);
    expect(fromBytes.tensor.shape).toEqual([1, 48, 64, 3]);
    expect(maxAbsDiff(fromBytes.tensor, fromUnit.tensor)).toBeLessThan(1e-6);
    const padding = tf.tidy(() => tf.slice(fromBytes.tensor, [0, 40, 0, 0], [1, 8, 64, 3]));
    expect(Math.max(...padding.dataSync().map(Math.abs))).toBe(0);
    tf.dispose([bytes, unit, fromBytes.tensor, fromUnit.tensor, padding]);
  });

  it('uses the last minSize unless told otherwise, and keeps sizes already right', () => {
    const image = tf.zeros([64, 80, 3]) as tf.Tensor3D;
    const transform = new ImageTransform({ minSize: [32, 64], maxSize: 200 });
    const inference = transform.toBatch([image]);
    const training = transform.toBatch([image], { minSize: 32 });
    expect(inference.imageSizes).toEqual([[64, 80]]);
    expect(training.imageSizes).toEqual([[32, 40]]);
    expect(training.tensor.shape).toEqual([1, 32, 64, 3]);
    tf.dispose([image, inference.tensor, training.tensor]);
  });

  it('rejects bad images and options with RcnnError', () => {
    const transform = new ImageTransform();
    const gray = tf.zeros([10, 10, 1]) as tf.Tensor3D;
    const flat = tf.zeros([10, 10]);
    const empty = tf.zeros([0, 10, 3]) as tf.Tensor3D;
    const flags = tf.zeros([4, 4, 3], 'bool') as tf.Tensor3D;
    expect(() => transform.toBatch([])).toThrow(RcnnError);
    expect(() => transform.toBatch([gray])).toThrow(/must be \[H, W, 3\]/);
    expect(() => transform.toBatch([flat as never])).toThrow(RcnnError);
    expect(() => transform.toBatch([empty])).toThrow(/empty/);
    expect(() => transform.toBatch([flags])).toThrow(/float32 \(0..1\) or int32/);
    expect(() => new ImageTransform({ minSize: 0 })).toThrow(RcnnError);
    expect(() => new ImageTransform({ minSize: [] })).toThrow(RcnnError);
    expect(() => new ImageTransform({ maxSize: -5 })).toThrow(RcnnError);
    expect(() => new ImageTransform({ sizeDivisibility: 0 })).toThrow(RcnnError);
    expect(() => new ImageTransform({ imageStd: [1, 1] })).toThrow(RcnnError);
    expect(() => new ImageTransform({ fixedSize: [0, 10] })).toThrow(RcnnError);
    tf.dispose([gray, flat, empty, flags]);
  });

  it('does not leak', async () => {
    const images = fixtureImages();
    const transform = new ImageTransform({ minSize, maxSize });
    await expectNoLeaks(() => {
      transform.toBatch(images).tensor.dispose();
    });
    tf.dispose(images);
  });
});
