import { asBoxes, RcnnError, readSafetensors } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff, readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { pasteMasks } from './paste-masks';
import { thresholdMasks } from './threshold-masks';

// tools/reference/gen_postprocess.py (fixtures in src/__fixtures__): torchvision paste_masks_in_image on boxes inside, across
// the borders, under one pixel, thin, larger than the image, and an all-zero mask.
const fixture = readSafetensors(
  readFixtureBytes(new URL('..', import.meta.url).href, 'paste-masks.safetensors'),
);
const imageSize = JSON.parse(fixture.metadata.image_size!) as [number, number];

function fixtureTensor(name: string): tf.Tensor {
  const entry = fixture.tensors.get(name)!;
  return tf.tensor(entry.data as Float32Array, [...entry.shape], 'float32');
}

function fixtureData(name: string): Float32Array {
  return fixture.tensors.get(name)!.data as Float32Array;
}

describeEachBackend('pasteMasks', () => {
  it('matches torchvision paste_masks_in_image to 1e-5 (28x28 masks, padding 1)', async () => {
    const masks = fixtureTensor('masks') as tf.Tensor3D;
    const boxes = asBoxes(fixtureTensor('boxes'));
    const pasted = pasteMasks(masks, boxes, imageSize);
    expect(pasted.shape).toEqual([8, ...imageSize]);
    const actual = await pasted.data();
    const error = maxAbsDiff(actual, fixtureData('pasted'));
    console.info(`pasteMasks 28x28 max |diff| vs torchvision: ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-5);
    tf.dispose([masks, boxes, pasted]);
  });

  it('matches torchvision for 14x14 masks and padding 2', async () => {
    const masks = fixtureTensor('masks14') as tf.Tensor3D;
    const boxes = asBoxes(tf.tidy(() => tf.slice(fixtureTensor('boxes'), [0, 0], [3, 4])));
    for (const [padding, expected] of [
      [1, 'pasted14'],
      [2, 'pasted14_padding2'],
    ] as const) {
      const pasted = pasteMasks(masks, boxes, imageSize, { padding });
      expect(maxAbsDiff(await pasted.data(), fixtureData(expected))).toBeLessThan(1e-5);
      pasted.dispose();
    }
    tf.dispose([masks, boxes]);
  });

  it('gives the same binary masks as torchvision at 0.5', async () => {
    const masks = fixtureTensor('masks') as tf.Tensor3D;
    const boxes = asBoxes(fixtureTensor('boxes'));
    const pasted = pasteMasks(masks, boxes, imageSize);
    const binary = thresholdMasks(pasted);
    expect(binary.dtype).toBe('bool');
    const actual = await binary.data();
    const expected = fixtureData('pasted');
    let mismatches = 0;
    let foreground = 0;
    for (let i = 0; i < expected.length; i++) {
      if (actual[i] !== (expected[i]! > 0.5 ? 1 : 0)) mismatches++;
      foreground += actual[i]!;
    }
    expect(foreground).toBeGreaterThan(1000);
    expect(mismatches).toBe(0);
    tf.dispose([masks, boxes, pasted, binary]);
  });

  it('returns [0, H, W] for no instances and zeros for an empty mask', async () => {
    const none = pasteMasks(tf.zeros([0, 28, 28]), asBoxes(tf.zeros([0, 4])), [20, 30]);
    expect(none.shape).toEqual([0, 20, 30]);
    const empty = pasteMasks(tf.zeros([1, 28, 28]), asBoxes(tf.tensor2d([[2, 3, 10, 12]])), [20, 30]);
    expect(Math.max(...(await empty.data()))).toBe(0);
    tf.dispose([none, empty]);
  });

  it('fills exactly the expanded integer box for a constant mask', async () => {
    // A 4x4 mask of ones, padding 1: box [8, 8, 16, 16] grows by 1.5 to [6, 6, 18, 18];
    // the interior stays 1 and the resize of the zero border fades at the edges.
    const pasted = pasteMasks(tf.ones([1, 4, 4]), asBoxes(tf.tensor2d([[8, 8, 16, 16]])), [24, 24]);
    const values = await pasted.data();
    expect(values[12 * 24 + 12]).toBeCloseTo(1, 6);
    expect(values[5 * 24 + 12]).toBe(0);
    expect(values[19 * 24 + 12]).toBe(0);
    expect(values[12 * 24 + 6]).toBe(0); // first pixel samples the zero border
    expect(values[12 * 24 + 7]).toBeGreaterThan(0.1);
    pasted.dispose();
  });

  it('rejects non-square masks, mismatched counts and bad sizes with RcnnError', () => {
    const boxes = asBoxes(tf.zeros([2, 4]));
    expect(() => pasteMasks(tf.zeros([2, 28, 14]), boxes, [10, 10])).toThrow(RcnnError);
    expect(() => pasteMasks(tf.zeros([3, 28, 28]), boxes, [10, 10])).toThrow(/N = 3/);
    expect(() => pasteMasks(tf.zeros([2, 28, 28]), boxes, [0, 10])).toThrow(RcnnError);
    expect(() => pasteMasks(tf.zeros([2, 28, 28]), boxes, [10, 10], { padding: -1 })).toThrow(RcnnError);
    expect(() => thresholdMasks(tf.zeros([2, 2]) as unknown as tf.Tensor3D)).toThrow(RcnnError);
    boxes.dispose();
  });

  it('leaks no tensors', async () => {
    const masks = fixtureTensor('masks') as tf.Tensor3D;
    const boxes = asBoxes(fixtureTensor('boxes'));
    await expectNoLeaks(() => pasteMasks(masks, boxes, imageSize).dispose());
    await expectNoLeaks(() => {
      const pasted = pasteMasks(masks, boxes, imageSize);
      thresholdMasks(pasted).dispose();
      pasted.dispose();
    });
    tf.dispose([masks, boxes]);
  });
});
