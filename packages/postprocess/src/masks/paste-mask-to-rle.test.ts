import { decodeMask, rleFromJson } from '@rcnn/coco-eval';
import { asBoxes } from '@rcnn/core';
import { seededRandom, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pasteMasksToRle, pasteMaskToRle } from './paste-mask-to-rle';
import { pasteMasksPerInstance } from './paste-masks-per-instance';

const SIDE = 28;
const [HEIGHT, WIDTH] = [37, 53];

describe('pasteMaskToRle', () => {
  beforeAll(() => useBackend('wasm'));

  it("equals the tensor paste (torchvision's paste_masks_in_image) thresholded, up to pixels within 1e-5 of the threshold", async () => {
    const random = seededRandom(5);
    const boxes = [
      [3.2, 4.7, 30.1, 20.9], // inside
      [-6.5, -3.25, 12, 9.5], // over the top-left corner
      [40.3, 25.1, 70, 50], // over the bottom-right corner
      [10, 10, 10.4, 10.2], // smaller than a pixel
      [0, 0, WIDTH, HEIGHT], // the whole image
      [60, 40, 80, 45], // outside
    ];
    const probabilities = Float32Array.from({ length: boxes.length * SIDE * SIDE }, () => random());
    const pasted = await pasteMasksPerInstance(
      tf.tensor3d(probabilities, [boxes.length, SIDE, SIDE]),
      asBoxes(tf.tensor2d(boxes.flat(), [boxes.length, 4])),
      [HEIGHT, WIDTH],
    );
    const expected = await pasted.data();
    pasted.dispose();
    let foreground = 0;
    for (const [n, box] of boxes.entries()) {
      const mask = probabilities.subarray(n * SIDE * SIDE, (n + 1) * SIDE * SIDE);
      const rle = pasteMaskToRle(mask, SIDE, box, [HEIGHT, WIDTH], 0.5);
      expect(rle.size).toEqual([HEIGHT, WIDTH]);
      const bits = decodeMask(rleFromJson(rle), 'row-major');
      for (let i = 0; i < HEIGHT * WIDTH; i++) {
        const probability = expected[n * HEIGHT * WIDTH + i]!;
        foreground += bits[i]!;
        if (bits[i] !== (probability > 0.5 ? 1 : 0)) expect(Math.abs(probability - 0.5)).toBeLessThan(1e-5);
      }
    }
    expect(foreground).toBeGreaterThan(500);
  });

  it('an all-background mask is one run; a 1x1 image works', () => {
    const zeros = new Float32Array(SIDE * SIDE);
    expect(Array.from(rleFromJson(pasteMaskToRle(zeros, SIDE, [1, 1, 5, 5], [8, 9])).counts)).toEqual([72]);
    const ones = new Float32Array(SIDE * SIDE).fill(1);
    const bits = decodeMask(rleFromJson(pasteMaskToRle(ones, SIDE, [0, 0, 1, 1], [1, 1])));
    expect(Array.from(bits)).toEqual([1]);
  });

  it('refuses a short mask, an empty image and a box that is not four finite numbers', () => {
    const mask = new Float32Array(SIDE * SIDE);
    expect(() => pasteMaskToRle(mask.subarray(1), SIDE, [0, 0, 4, 4], [8, 8])).toThrow(/side \* side = 784/);
    expect(() => pasteMaskToRle(mask, SIDE, [0, 0, 4, 4], [0, 8])).toThrow(/imageSize/);
    expect(() => pasteMaskToRle(mask, SIDE, [0, 0, 4, Number.NaN], [8, 8])).toThrow(/four finite/);
    expect(() => pasteMaskToRle(mask, SIDE, [0, 0, 4], [8, 8])).toThrow(/four finite/);
  });
});

describe('pasteMasksToRle', () => {
  beforeAll(() => useBackend('wasm'));

  it('reads the masks once and gives each its pasteMaskToRle; no tensor left behind; one box per mask', async () => {
    const random = seededRandom(8);
    const boxes = [
      [2, 3, 30, 25],
      [-4, 10, 20, 40],
      [40, 1, 53, 12],
    ];
    const probabilities = Float32Array.from({ length: boxes.length * SIDE * SIDE }, () => random());
    const masks = tf.tensor3d(probabilities, [boxes.length, SIDE, SIDE]);
    const before = tf.memory().numTensors;
    const rles = await pasteMasksToRle(masks, boxes, [HEIGHT, WIDTH], 0.4);
    expect(tf.memory().numTensors).toBe(before);
    expect(rles).toEqual(
      boxes.map((box, n) =>
        pasteMaskToRle(
          probabilities.subarray(n * SIDE * SIDE, (n + 1) * SIDE * SIDE),
          SIDE,
          box,
          [HEIGHT, WIDTH],
          0.4,
        ),
      ),
    );
    await expect(pasteMasksToRle(masks, boxes.slice(1), [HEIGHT, WIDTH])).rejects.toThrow(/one box each/);
    masks.dispose();
  });
});
