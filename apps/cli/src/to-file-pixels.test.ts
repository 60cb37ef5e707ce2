import { encodeMask, rleToJson } from '@rcnn/coco-eval';
import { asBoxes } from '@rcnn/core';
import { type DetectorInstances, disposeDetections } from '@rcnn/models';
import { expectNoLeaks, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { toDecodedPixels } from './to-decoded-pixels';
import { toFilePixels } from './to-file-pixels';

/** Two detections in a 40x50 (height x width) decode of a 400x1000 file: x10 down, x20 across. */
function decoded(): DetectorInstances {
  return {
    imageSize: [40, 50],
    boxes: asBoxes(tf.tensor2d([1, 2, 11, 22, 0.5, 0, 50, 40], [2, 4])),
    scores: tf.tensor1d([0.9, 0.4]),
    labels: tf.tensor1d([3, 7], 'int32'),
    masks: tf.fill([2, 28, 28], 0.75) as tf.Tensor3D,
    keypoints: tf.tensor3d([1, 2, 1, 3, 4, 1, 5, 6, 1, 7, 8, 1], [2, 2, 3]),
    keypointScores: tf.tensor2d([0.1, 0.2, 0.3, 0.4], [2, 2]),
  };
}

describe('toFilePixels', () => {
  beforeAll(() => useBackend('cpu'));

  it('scales boxes and keypoints per axis to the file size, keeps the other fields and the per-RoI masks', async () => {
    const detection = decoded();
    const mapped = toFilePixels(detection, [400, 1000]);
    expect(mapped.imageSize).toEqual([400, 1000]);
    expect(await mapped.boxes.array()).toEqual([
      [20, 20, 220, 220],
      [10, 0, 1000, 400],
    ]);
    expect(await mapped.keypoints!.array()).toEqual([
      [
        [20, 20, 1],
        [60, 40, 1],
      ],
      [
        [100, 60, 1],
        [140, 80, 1],
      ],
    ]);
    for (const name of ['scores', 'labels', 'masks', 'keypointScores'] as const) {
      expect(mapped[name]).not.toBe(detection[name]);
      expect(await mapped[name]!.array()).toEqual(await detection[name]!.array());
    }
    disposeDetections([detection, mapped]);
  });

  it('refuses masks already pasted, and leaks nothing either way', async () => {
    const detection = decoded();
    await expectNoLeaks(() => disposeDetections([toFilePixels(detection, [400, 1000])]));
    const pasted = { ...detection, masks: tf.zeros([2, 40, 50]) as tf.Tensor3D };
    await expectNoLeaks(() => expect(() => toFilePixels(pasted, [400, 1000])).toThrow(/per-RoI/));
    disposeDetections([detection, pasted]);
  });
});

describe('toDecodedPixels', () => {
  it('maps plain detections back onto the shrunk pixels, sampling masks at pixel centres', () => {
    // A 4x6 file mask (height x width) whose right half is set, shrunk to 2x3.
    const fileMask = new Uint8Array(24).map((_, i) => (i >= 12 ? 1 : 0)); // column-major: columns 3..5
    const image = { width: 3, height: 2, data: new Uint8Array(18), originalWidth: 6, originalHeight: 4 };
    const [shrunk] = toDecodedPixels(
      [{ boxes: [0, 0, 6, 4], scores: 0.5, keypoints: [[6, 4, 1]], masks: rleOf(fileMask, 4, 6) }],
      { ...image, scaleX: 2, scaleY: 2 },
    );
    expect(shrunk).toMatchObject({ boxes: [0, 0, 3, 2], scores: 0.5, keypoints: [[3, 2, 1]] });
    // Source columns 1, 3, 5 (centres of 0..2, 2..4, 4..6): column-major 0 0 | 1 1 | 1 1.
    expect(shrunk!.masks).toEqual(rleOf(new Uint8Array([0, 0, 1, 1, 1, 1]), 2, 3));
    const same = [{ boxes: [1, 2, 3, 4] }];
    expect(toDecodedPixels(same, { ...image, width: 6, height: 4, scaleX: 1, scaleY: 1 })).toBe(same);
  });
});

function rleOf(columnMajor: Uint8Array, height: number, width: number) {
  return rleToJson(encodeMask(columnMajor, height, width, 'column-major'));
}
