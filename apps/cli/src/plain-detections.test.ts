import { decodeMask, rleFromJson } from '@rcnn/coco-eval';
import type { Boxes } from '@rcnn/core';
import {
  DETECTION_FIELD_NAMES,
  DETECTION_FIELDS,
  type DetectorInstances,
  disposeDetections,
} from '@rcnn/models';
import { expectNoLeaks, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { toImageResult } from './commands/predict-json';
import { downloadDetections, toDetectedInstance } from './plain-detections';

beforeAll(() => useBackend('cpu'));

const HEIGHT = 6;
const WIDTH = 8;

/** Two detections carrying every field of DETECTION_FIELDS, masks pasted at 6x8. */
function everyField(): DetectorInstances {
  const mask = Array.from({ length: HEIGHT }, (_, y) =>
    Array.from({ length: WIDTH }, (_, x) => (x < 4 && y < 3 ? 0.9 : 0.1)),
  );
  return {
    imageSize: [HEIGHT, WIDTH],
    boxes: tf.tensor2d([
      [0.123456, 1, 4, 3],
      [2, 2, 8, 6],
    ]) as Boxes,
    scores: tf.tensor1d([0.75, 0.25]),
    labels: tf.tensor1d([3, 7], 'int32'),
    masks: tf.tensor3d([mask, mask.map((row) => row.map((value) => 1 - value))]),
    maskScores: tf.tensor1d([0.5, 0.125]),
    keypoints: tf.tensor3d([
      [
        [1, 2, 1],
        [3, 4, 1],
      ],
      [
        [5, 5, 1],
        [6, 1, 1],
      ],
    ]),
    keypointScores: tf.tensor2d([
      [2.5, -1],
      [0.25, 4],
    ]),
  };
}

describe('the detections record in the JSON', () => {
  it('carries every field of the record, under the key and in the form the table gives', async () => {
    const detection = everyField();
    // A field added to the table must be added to the record above, or this fails.
    expect(
      Object.keys(detection)
        .filter((key) => key !== 'imageSize')
        .sort(),
    ).toEqual([...DETECTION_FIELD_NAMES].sort());
    const plain = await downloadDetections(detection);
    const [first, second] = toImageResult('a.png', { width: WIDTH, height: HEIGHT }, plain).instances;
    const keys = new Set(DETECTION_FIELD_NAMES.map((name) => DETECTION_FIELDS[name].plainKey));
    expect(Object.keys(first!).sort()).toEqual([...keys].sort());
    expect(first).toMatchObject({
      box: [0.1235, 1, 4, 3],
      score: 0.75,
      label: 3,
      maskScore: 0.5,
      keypoints: [
        [1, 2, 2.5],
        [3, 4, -1],
      ],
    });
    expect(second).toMatchObject({
      label: 7,
      maskScore: 0.125,
      keypoints: [
        [5, 5, 0.25],
        [6, 1, 4],
      ],
    });
    const pixels = decodeMask(rleFromJson(first!.mask!));
    // Column-major 8x6: the top-left 4x3 block is foreground.
    const foreground = Array.from(pixels).reduce((sum, value) => sum + value, 0);
    expect(first!.mask!.size).toEqual([HEIGHT, WIDTH]);
    expect(foreground).toBe(12);
    disposeDetections([detection]);
  });

  it('gives the drawing the keypoint scores and category names', async () => {
    const detection = everyField();
    const [plain] = await downloadDetections(detection);
    const names = ['bg', 'a', 'b', 'c'];
    const instance = toDetectedInstance(plain!, names);
    expect(instance.categoryName).toBe('c');
    expect(instance.keypoints![0]).toEqual([1, 2, 2.5]);
    expect(instance.mask!.size).toEqual([HEIGHT, WIDTH]);
    disposeDetections([detection]);
  });

  it('refuses unpasted masks and a field the table does not list, and leaks nothing', async () => {
    const detection = everyField();
    const unpasted = { ...detection, masks: tf.zeros([2, 28, 28]) as tf.Tensor3D };
    await expect(downloadDetections(unpasted)).rejects.toThrow(
      /masks are 28x28 but the image is 6x8: paste them first/,
    );
    const extra = { ...detection, novel: tf.zeros([2]) } as DetectorInstances;
    await expect(downloadDetections(extra)).rejects.toThrow(/'novel'.*DETECTION_FIELDS/);
    await expectNoLeaks(() => downloadDetections(detection));
    disposeDetections([unpasted, extra]);
  });
});
