import { type Boxes, type ImageBatch, RcnnError } from '@rcnn/core';
import { expectNoLeaks, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DETECTION_FIELD_NAMES,
  DETECTION_FIELDS,
  type DetectorInstances,
  detectionFieldsOf,
  disposeDetections,
  sliceDetections,
} from './detector-instances';
import { toOriginalCoordinates } from './paste-instance-masks';

beforeAll(() => useBackend('cpu'));

/** Three detections with every field of the table, in a 20x40 (H x W) resized image. */
function everyField(): DetectorInstances {
  return {
    imageSize: [20, 40],
    boxes: tf.tensor2d([
      [0, 0, 10, 10],
      [5, 5, 20, 15],
      [10, 2, 40, 20],
    ]) as Boxes,
    scores: tf.tensor1d([0.9, 0.5, 0.2]),
    labels: tf.tensor1d([1, 2, 3], 'int32'),
    masks: tf.fill([3, 28, 28], 0.75) as tf.Tensor3D,
    maskScores: tf.tensor1d([0.8, 0.4, 0.1]),
    keypoints: tf.tensor3d([[[2, 4, 1]], [[6, 8, 1]], [[10, 12, 1]]]),
    keypointScores: tf.tensor2d([[3], [2], [1]]),
  };
}

describe('DETECTION_FIELDS', () => {
  it('lists every tensor field a full record carries, boxes first', () => {
    const detection = everyField();
    const keys = Object.keys(detection).filter((key) => key !== 'imageSize');
    expect([...DETECTION_FIELD_NAMES].sort()).toEqual(keys.sort());
    expect(DETECTION_FIELD_NAMES[0]).toBe('boxes');
    expect(detectionFieldsOf(detection).map(([name]) => name)).toEqual(DETECTION_FIELD_NAMES);
    disposeDetections([detection]);
  });

  it('refuses a tensor under a key it does not list, and still disposes it', () => {
    const extra = tf.tensor1d([1, 2, 3]);
    const detection = { ...everyField(), unlisted: extra } as DetectorInstances;
    expect(() => detectionFieldsOf(detection)).toThrow(RcnnError);
    expect(() => detectionFieldsOf(detection)).toThrow(/'unlisted'.*DETECTION_FIELDS/);
    disposeDetections([detection]);
    expect(extra.isDisposed).toBe(true);
  });
});

describe('sliceDetections', () => {
  it('takes the same rows of every field', async () => {
    const detection = everyField();
    const part = sliceDetections(detection, 1, 2);
    expect(part.imageSize).toEqual([20, 40]);
    expect(await part.scores.array()).toEqual([0.5, 0.20000000298023224]);
    expect(await part.maskScores!.array()).toEqual([0.4000000059604645, 0.10000000149011612]);
    expect(await part.keypoints!.array()).toEqual([[[6, 8, 1]], [[10, 12, 1]]]);
    expect(part.masks!.shape).toEqual([2, 28, 28]);
    for (const name of DETECTION_FIELD_NAMES) expect(part[name]!.shape[0]).toBe(2);
    disposeDetections([detection, part]);
  });

  it('refuses rows outside the detections and leaks nothing', async () => {
    const detection = everyField();
    expect(() => sliceDetections(detection, 2, 2)).toThrow(/rows \[2, 4\) are outside the 3 detections/);
    await expectNoLeaks(() => disposeDetections([sliceDetections(detection, 0, 3)]));
    disposeDetections([detection]);
  });
});

describe('toOriginalCoordinates', () => {
  const batch = (): ImageBatch => ({
    tensor: tf.zeros([1, 32, 64, 3]) as tf.Tensor4D,
    imageSizes: [[20, 40]],
    originalSizes: [[40, 120]],
  });

  it('maps each field as the table says and keeps maskScores', async () => {
    const input = batch();
    const [result] = await toOriginalCoordinates([everyField()], input, 'perInstance');
    expect(result!.imageSize).toEqual([40, 120]);
    // x scaled by 3, y by 2.
    expect(await result!.boxes.array()).toEqual([
      [0, 0, 30, 20],
      [15, 10, 60, 30],
      [30, 4, 120, 40],
    ]);
    expect(await result!.keypoints!.array()).toEqual([[[6, 8, 1]], [[18, 16, 1]], [[30, 24, 1]]]);
    expect(result!.masks!.shape).toEqual([3, 40, 120]);
    expect(await result!.maskScores!.array()).toEqual([
      0.800000011920929, 0.4000000059604645, 0.10000000149011612,
    ]);
    expect(await result!.keypointScores!.array()).toEqual([[3], [2], [1]]);
    for (const name of DETECTION_FIELD_NAMES) expect(result![name]).toBeDefined();
    expect(DETECTION_FIELDS.maskScores.coordinates).toBe('none');
    disposeDetections([result!]);
    input.tensor.dispose();
  });

  it('leaks nothing, on success and when a field is not in the table', async () => {
    const input = batch();
    await expectNoLeaks(async () =>
      disposeDetections(await toOriginalCoordinates([everyField()], input, false)),
    );
    await expectNoLeaks(async () => {
      const detection = { ...everyField(), unlisted: tf.zeros([3]) } as DetectorInstances;
      await expect(toOriginalCoordinates([detection], input, 'perInstance')).rejects.toThrow(/unlisted/);
      disposeDetections([detection]);
    });
    input.tensor.dispose();
  });
});
