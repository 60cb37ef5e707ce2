import { asBoxes, type Boxes, type ImageSize, RcnnError, readSafetensors } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff, readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { type PasteMasksOptions, pasteMasks } from './paste-masks';
import { pasteMasksPerInstance } from './paste-masks-per-instance';
import { thresholdMasks } from './threshold-masks';

// tools/reference/gen_postprocess.py (fixtures in src/__fixtures__): torchvision paste_masks_in_image on
// boxes inside, across the borders, under one pixel, thin, larger than the image, and an all-zero mask.
const fixture = readSafetensors(
  readFixtureBytes(new URL('..', import.meta.url).href, 'paste-masks.safetensors'),
);
const imageSize = JSON.parse(fixture.metadata.image_size!) as ImageSize;

function fixtureTensor(name: string): tf.Tensor {
  const entry = fixture.tensors.get(name)!;
  return tf.tensor(entry.data as Float32Array, [...entry.shape], 'float32');
}

function fixtureData(name: string): Float32Array {
  return fixture.tensors.get(name)!.data as Float32Array;
}

type Paste = (
  masks: tf.Tensor3D,
  boxes: Boxes,
  size: ImageSize,
  options?: PasteMasksOptions,
) => Promise<tf.Tensor3D>;
const variants: [string, Paste][] = [
  ['pasteMasks', async (...args) => pasteMasks(...args)],
  ['pasteMasksPerInstance', pasteMasksPerInstance],
];

describeEachBackend('mask pasting', () => {
  for (const [name, paste] of variants) {
    it(`${name} matches torchvision paste_masks_in_image to 1e-5 (28x28 masks, padding 1)`, async () => {
      const masks = fixtureTensor('masks') as tf.Tensor3D;
      const boxes = asBoxes(fixtureTensor('boxes'));
      const pasted = await paste(masks, boxes, imageSize);
      expect(pasted.shape).toEqual([8, ...imageSize]);
      const error = maxAbsDiff(await pasted.data(), fixtureData('pasted'));
      console.info(`${name} 28x28 max |diff| vs torchvision: ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-5);
      tf.dispose([masks, boxes, pasted]);
    });

    it(`${name} matches torchvision for 14x14 masks and padding 2`, async () => {
      const masks = fixtureTensor('masks14') as tf.Tensor3D;
      const boxes = asBoxes(tf.tidy(() => tf.slice(fixtureTensor('boxes'), [0, 0], [3, 4])));
      for (const [padding, expected] of [
        [1, 'pasted14'],
        [2, 'pasted14_padding2'],
      ] as const) {
        const pasted = await paste(masks, boxes, imageSize, { padding });
        expect(maxAbsDiff(await pasted.data(), fixtureData(expected))).toBeLessThan(1e-5);
        pasted.dispose();
      }
      tf.dispose([masks, boxes]);
    });

    it(`${name} gives the same binary masks as torchvision at 0.5`, async () => {
      const masks = fixtureTensor('masks') as tf.Tensor3D;
      const boxes = asBoxes(fixtureTensor('boxes'));
      const pasted = await paste(masks, boxes, imageSize);
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

    it(`${name} returns [0, H, W] for no instances and zeros for an empty mask`, async () => {
      const noBoxes = asBoxes(tf.zeros([0, 4]));
      const none = await paste(tf.zeros([0, 28, 28]), noBoxes, [20, 30]);
      expect(none.shape).toEqual([0, 20, 30]);
      const oneBox = asBoxes(tf.tensor2d([[2, 3, 10, 12]]));
      const empty = await paste(tf.zeros([1, 28, 28]), oneBox, [20, 30]);
      expect(Math.max(...(await empty.data()))).toBe(0);
      tf.dispose([none, empty, noBoxes, oneBox]);
    });

    it(`${name} fills the expanded integer box for a constant mask`, async () => {
      // A 4x4 mask of ones, padding 1: box [8, 8, 16, 16] grows by 1.5 to [6, 6, 18, 18] (13 px);
      // the interior stays 1, the resized zero border fades at the edges, outside is 0.
      const box = asBoxes(tf.tensor2d([[8, 8, 16, 16]]));
      const pasted = await paste(tf.ones([1, 4, 4]), box, [24, 24]);
      const values = await pasted.data();
      expect(values[12 * 24 + 12]).toBeCloseTo(1, 6);
      expect(values[5 * 24 + 12]).toBe(0);
      expect(values[19 * 24 + 12]).toBe(0);
      expect(values[12 * 24 + 6]).toBe(0); // the first pixel samples the zero border
      expect(values[12 * 24 + 7]).toBeGreaterThan(0.1);
      tf.dispose([pasted, box]);
    });

    it(`${name} rejects non-square masks, mismatched counts and bad sizes with RcnnError`, async () => {
      const boxes = asBoxes(tf.zeros([2, 4]));
      await expect(paste(tf.zeros([2, 28, 14]), boxes, [10, 10])).rejects.toThrow(RcnnError);
      await expect(paste(tf.zeros([3, 28, 28]), boxes, [10, 10])).rejects.toThrow(/N = 3/);
      await expect(paste(tf.zeros([2, 28, 28]), boxes, [0, 10])).rejects.toThrow(RcnnError);
      await expect(paste(tf.zeros([2, 28, 28]), boxes, [10, 10], { padding: -1 })).rejects.toThrow(RcnnError);
      boxes.dispose();
    });

    it(`${name} leaks no tensors`, async () => {
      const masks = fixtureTensor('masks') as tf.Tensor3D;
      const boxes = asBoxes(fixtureTensor('boxes'));
      await expectNoLeaks(async () => (await paste(masks, boxes, imageSize)).dispose());
      tf.dispose([masks, boxes]);
    });
  }

  it('thresholdMasks is strict (> 0.5), rejects non-3-D input and leaks nothing', async () => {
    const probabilities = tf.tensor3d([[[0.5, 0.5000001, 0.2, 1]]]);
    const binary = thresholdMasks(probabilities);
    expect(Array.from(await binary.data())).toEqual([0, 1, 0, 1]);
    binary.dispose();
    expect(() => thresholdMasks(tf.zeros([2, 2]) as unknown as tf.Tensor3D)).toThrow(RcnnError);
    await expectNoLeaks(() => thresholdMasks(probabilities).dispose());
    probabilities.dispose();
  });
});
