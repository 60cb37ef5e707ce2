import { describeEachBackend, expectNoLeaks, expectTensorsClose, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { asBoxes } from '../types/boxes';
import type { ImageSize } from '../types/images';
import { fixtureArray, fixtureMeta, fixtureTensor } from './__fixtures__/transform';
import { mapBoxesToOriginal, resizeBoxes } from './resize-boxes';
import { resizeGroundTruth } from './resize-ground-truth';
import { mapKeypointsToOriginal, resizeKeypoints } from './resize-keypoints';
import { resizeMasksNearest } from './resize-masks';

const originalSizes = fixtureMeta<ImageSize[]>('imageSizes');
const imageSizes = originalSizes.map((_, i) => {
  const data = fixtureArray('imageSizes').data;
  return [data[2 * i]!, data[2 * i + 1]!] as ImageSize;
});
const images = originalSizes.map((_, index) => ({ index }));

describeEachBackend('target resizing and postprocess mapping (parity with torchvision transform)', () => {
  it.each(images)('resizes targets of image $index like GeneralizedRCNNTransform.forward', ({ index }) => {
    const masks = fixtureTensor(`targets/${index}/masks`) as tf.Tensor3D;
    const groundTruth = {
      boxes: asBoxes(fixtureTensor(`targets/${index}/boxes`)),
      labels: tf.tensor1d([1, 2, 3, 4], 'int32'),
      keypoints: fixtureTensor(`targets/${index}/keypoints`) as tf.Tensor3D,
      masks: tf.cast(masks, 'float32') as tf.Tensor3D,
    };
    const resized = resizeGroundTruth(groundTruth, originalSizes[index]!, imageSizes[index]!);
    expectTensorsClose(resized.boxes, fixtureArray(`resizedTargets/${index}/boxes`).data, {
      rtol: 1e-6,
      atol: 0,
    });
    expectTensorsClose(resized.keypoints!, fixtureArray(`resizedTargets/${index}/keypoints`).data, {
      rtol: 1e-6,
      atol: 0,
    });
    const expectedMasks = fixtureArray(`resizedTargets/${index}/masks`);
    expect(resized.masks!.shape).toEqual(expectedMasks.shape);
    expect(maxAbsDiff(resized.masks!, expectedMasks.data)).toBe(0);
    expect(Array.from(resized.labels.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([masks, groundTruth as never, resized as never]);
  });

  it.each(images)('maps detections of image $index back like transform.postprocess', ({ index }) => {
    const boxes = asBoxes(fixtureTensor(`detections/${index}/boxes`));
    const keypoints = fixtureTensor(`detections/${index}/keypoints`) as tf.Tensor3D;
    const mappedBoxes = mapBoxesToOriginal(boxes, imageSizes[index]!, originalSizes[index]!);
    const mappedKeypoints = mapKeypointsToOriginal(keypoints, imageSizes[index]!, originalSizes[index]!);
    expectTensorsClose(mappedBoxes, fixtureArray(`mapped/${index}/boxes`).data, { rtol: 1e-6, atol: 0 });
    expectTensorsClose(mappedKeypoints, fixtureArray(`mapped/${index}/keypoints`).data, {
      rtol: 1e-6,
      atol: 0,
    });
    tf.dispose([boxes, keypoints, mappedBoxes, mappedKeypoints]);
  });

  it('round-trips boxes through a resize and back', () => {
    const boxes = asBoxes(
      tf.tensor2d([
        [3, 4, 30, 40],
        [0, 0, 99, 77],
      ]),
    );
    const there = resizeBoxes(boxes, [80, 100], [123, 77]);
    const back = resizeBoxes(there, [123, 77], [80, 100]);
    expectTensorsClose(back, boxes, { rtol: 1e-6, atol: 1e-5 });
    tf.dispose([boxes, there, back]);
  });

  it('handles zero instances', () => {
    const none = asBoxes(tf.zeros([0, 4]));
    const noKeypoints = tf.zeros([0, 17, 3]) as tf.Tensor3D;
    const noMasks = tf.zeros([0, 20, 30]) as tf.Tensor3D;
    const outputs = [
      resizeBoxes(none, [20, 30], [40, 60]),
      resizeKeypoints(noKeypoints, [20, 30], [40, 60]),
      resizeMasksNearest(noMasks, [40, 60]),
    ];
    expect(outputs.map((t) => t.shape)).toEqual([
      [0, 4],
      [0, 17, 3],
      [0, 40, 60],
    ]);
    tf.dispose([none, noKeypoints, noMasks, ...outputs]);
  });

  it('rejects bad shapes and sizes with RcnnError', () => {
    const boxes = asBoxes(tf.zeros([2, 4]));
    const keypoints = tf.zeros([2, 5, 2]) as tf.Tensor3D;
    const masks = tf.zeros([2, 5]) as unknown as tf.Tensor3D;
    expect(() => resizeBoxes(boxes, [0, 10], [10, 10])).toThrow(RcnnError);
    expect(() => mapBoxesToOriginal(boxes, [10, 10], [-1, 10])).toThrow(/positive sides/);
    expect(() => resizeKeypoints(keypoints, [10, 10], [20, 20])).toThrow(/\[N, K, 3\]/);
    expect(() => resizeMasksNearest(masks, [10, 10])).toThrow(RcnnError);
    tf.dispose([boxes, keypoints, masks]);
  });

  it('does not leak', async () => {
    const groundTruth = {
      boxes: asBoxes(fixtureTensor('targets/1/boxes')),
      labels: tf.tensor1d([1, 1, 2, 2], 'int32'),
      keypoints: fixtureTensor('targets/1/keypoints') as tf.Tensor3D,
      masks: fixtureTensor('targets/1/masks') as tf.Tensor3D,
    };
    await expectNoLeaks(() => {
      tf.dispose(resizeGroundTruth(groundTruth, originalSizes[1]!, imageSizes[1]!) as never);
      tf.dispose([
        mapBoxesToOriginal(groundTruth.boxes, [96, 42], [70, 31]),
        mapKeypointsToOriginal(groundTruth.keypoints, [96, 42], [70, 31]),
        resizeMasksNearest(groundTruth.masks, [33, 17]),
      ]);
    });
    tf.dispose(groundTruth as never);
  });
});
