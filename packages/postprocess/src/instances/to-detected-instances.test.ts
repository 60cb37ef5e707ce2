import { asBoxes, type Instances, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, seededRandom } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { decodeRleRowMajor } from '../masks/coco-rle';
import { toDetectedInstances } from './to-detected-instances';

const [height, width] = [9, 14];
const random = seededRandom(11);
const maskValues = Float32Array.from({ length: 2 * height * width }, () => random());
maskValues[3] = 0.5; // exactly at the threshold: background (strict >)

function makeInstances(): Instances {
  return {
    imageSize: [height, width],
    boxes: asBoxes(
      tf.tensor2d([
        [1.25, 2, 8.5, 7],
        [0, 0, 13, 8.75],
      ]),
    ),
    scores: tf.tensor1d([0.9, 0.35]),
    labels: tf.tensor1d([3, 1], 'int32'),
    masks: tf.tensor3d(maskValues, [2, height, width]),
    keypoints: tf.tensor3d(
      [
        [
          [2, 3, 1],
          [4.5, 5.5, 1],
        ],
        [
          [7, 1, 1],
          [9, 2, 1],
        ],
      ],
      [2, 2, 3],
    ),
    keypointScores: tf.tensor2d([
      [3.5, -1],
      [0.25, 7],
    ]),
  };
}

function disposeInstances(instances: Instances): void {
  tf.dispose([
    instances.boxes,
    instances.scores,
    instances.labels,
    instances.masks!,
    instances.keypoints!,
    instances.keypointScores!,
  ]);
}

describeEachBackend('toDetectedInstances', () => {
  it('downloads boxes, scores, labels, names, keypoints and RLE masks', async () => {
    const instances = makeInstances();
    const detected = await toDetectedInstances(instances, {
      categoryNames: ['__background__', 'person', 'bike', 'car'],
    });
    expect(detected).toHaveLength(2);
    expect(detected[0]!.box).toEqual([1.25, 2, 8.5, 7]);
    expect(detected[0]!.score).toBeCloseTo(0.9, 6);
    expect(detected[0]!.label).toBe(3);
    expect(detected[0]!.categoryName).toBe('car');
    expect(detected[1]!.categoryName).toBe('person');
    expect(detected[0]!.keypoints).toEqual([
      [2, 3, 3.5],
      [4.5, 5.5, -1],
    ]);
    for (let i = 0; i < 2; i++) {
      const expected = maskValues
        .subarray(i * height * width, (i + 1) * height * width)
        .map((p) => (p > 0.5 ? 1 : 0));
      expect(detected[i]!.mask!.size).toEqual([height, width]);
      expect(Array.from(decodeRleRowMajor(detected[i]!.mask!))).toEqual(Array.from(expected));
    }
    disposeInstances(instances);
  });

  it('uses the keypoints third column without keypointScores, and omits absent fields', async () => {
    const instances = makeInstances();
    const [first] = await toDetectedInstances({ ...instances, keypointScores: undefined, masks: undefined });
    expect(first!.keypoints![1]).toEqual([4.5, 5.5, 1]);
    expect(first!.mask).toBeUndefined();
    expect(first!.categoryName).toBeUndefined();
    disposeInstances(instances);
  });

  it('returns [] for no detections', async () => {
    const empty: Instances = {
      imageSize: [4, 4],
      boxes: asBoxes(tf.zeros([0, 4])),
      scores: tf.zeros([0]),
      labels: tf.zeros([0], 'int32'),
    };
    expect(await toDetectedInstances(empty)).toEqual([]);
    tf.dispose([empty.boxes, empty.scores, empty.labels]);
  });

  it('rejects unpasted masks with RcnnError', async () => {
    const instances = makeInstances();
    const small = tf.zeros([2, 28, 28]) as tf.Tensor3D;
    await expect(toDetectedInstances({ ...instances, masks: small })).rejects.toThrow(RcnnError);
    await expect(toDetectedInstances({ ...instances, masks: small })).rejects.toThrow(/pasteMasks/);
    small.dispose();
    disposeInstances(instances);
  });

  it('leaks no tensors', async () => {
    const instances = makeInstances();
    await expectNoLeaks(() => toDetectedInstances(instances));
    disposeInstances(instances);
  });
});
