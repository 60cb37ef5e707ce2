import { RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { disposeDetections } from './detector-instances';
import type { GeneralizedRcnn, PredictStage } from './generalized-rcnn';
import { pasteInstanceMasks } from './paste-instance-masks';
import type { RcnnFamily } from './presets/build-resnet-fpn-rcnn';
import { SMALL_KEYPOINTS, smallImages, smallModel, smallModelUnloaded } from './test-support/small-model';

const FAMILIES: RcnnFamily[] = ['fasterrcnn', 'maskrcnn', 'keypointrcnn'];

describeEachBackend('GeneralizedRcnn.predict', () => {
  const models = new Map<RcnnFamily, GeneralizedRcnn>();
  let images: tf.Tensor3D[];

  beforeAll(() => {
    for (const family of FAMILIES) models.set(family, smallModel(family));
    images = smallImages();
  });
  afterAll(() => {
    for (const model of models.values()) model.dispose();
    tf.dispose(images);
  });

  for (const family of FAMILIES) {
    it(`${family}: instances per image in original pixels, every stage timed in order`, async () => {
      const stages: PredictStage[] = [];
      const detections = await models.get(family)!.predict(images, {
        onStage: (stage, ms) => {
          expect(ms).toBeGreaterThanOrEqual(0);
          stages.push(stage);
        },
      });
      expect(stages).toEqual(['transform', 'backbone', 'rpn', 'roiHeads', 'postprocess']);
      expect(detections.map((d) => d.imageSize)).toEqual([
        [40, 56],
        [50, 30],
      ]);
      for (const [i, detection] of detections.entries()) {
        const n = detection.boxes.shape[0];
        expect(n, 'random weights with 3 classes still detect').toBeGreaterThan(0);
        expect(n).toBeLessThanOrEqual(6);
        expect(detection.scores.shape).toEqual([n]);
        expect(detection.labels.dtype).toBe('int32');
        const [height, width] = detection.imageSize;
        const boxes = await detection.boxes.array();
        for (const [x1, y1, x2, y2] of boxes as number[][]) {
          expect(x1! >= 0 && y1! >= 0 && x2! <= width + 1e-3 && y2! <= height + 1e-3, `image ${i}`).toBe(
            true,
          );
        }
        expect(detection.masks?.shape).toEqual(family === 'maskrcnn' ? [n, 28, 28] : undefined);
        expect(detection.keypoints?.shape).toEqual(
          family === 'keypointrcnn' ? [n, SMALL_KEYPOINTS, 3] : undefined,
        );
        expect(detection.keypointScores?.shape).toEqual(
          family === 'keypointrcnn' ? [n, SMALL_KEYPOINTS] : undefined,
        );
      }
      disposeDetections(detections);
    });
  }

  it('maskrcnn: pasteMasks gives image-sized probabilities, the same by both methods and by pasteInstanceMasks', async () => {
    const model = models.get('maskrcnn')!;
    const perRoi = await model.predict(images);
    const pasted = await model.predict(images, { pasteMasks: true });
    const dense = await model.predict(images, { pasteMasks: 'dense' });
    for (let i = 0; i < images.length; i++) {
      const [height, width] = images[i]!.shape;
      expect(pasted[i]!.masks!.shape).toEqual([perRoi[i]!.boxes.shape[0], height, width]);
      const later = await pasteInstanceMasks(perRoi[i]!);
      expect(maxAbsDiff(later, pasted[i]!.masks!)).toBe(0);
      expect(maxAbsDiff(dense[i]!.masks!, pasted[i]!.masks!)).toBeLessThan(1e-5);
      later.dispose();
    }
    await expect(pasteInstanceMasks(pasted[0]!)).rejects.toThrow(/per-RoI squares/); // already pasted
    [perRoi, pasted, dense].forEach(disposeDetections);
  });

  it('takes a single image tensor', async () => {
    const [detection] = await models.get('fasterrcnn')!.predict(images[0]!);
    expect(detection!.imageSize).toEqual([40, 56]);
    disposeDetections([detection!]);
  });

  for (const family of FAMILIES) {
    it(`${family}: repeated predict leaks no tensors`, async () => {
      const model = models.get(family)!;
      await expectNoLeaks(async () => {
        disposeDetections(await model.predict(images, { pasteMasks: family === 'maskrcnn' }));
      }, 2);
    });
  }

  it('pasteInstanceMasks leaks nothing and rejects instances without masks', async () => {
    const [withMasks] = await models.get('maskrcnn')!.predict(images[0]!);
    const [withoutMasks] = await models.get('fasterrcnn')!.predict(images[0]!);
    await expectNoLeaks(async () => (await pasteInstanceMasks(withMasks!, { method: 'dense' })).dispose());
    await expect(pasteInstanceMasks(withoutMasks!)).rejects.toThrow(/no masks/);
    disposeDetections([withMasks!, withoutMasks!]);
  });

  it('rejects bad images with RcnnError and leaks nothing', async () => {
    const model = models.get('fasterrcnn')!;
    const gray = tf.zeros([20, 20, 1]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    await expect(model.predict([gray])).rejects.toThrow(RcnnError);
    await expect(model.predict([])).rejects.toThrow(/at least one image/);
    expect(tf.memory().numTensors).toBe(before);
    gray.dispose();
  });

  it('before weights are loaded, predicts with its initial weights (as a torchvision module does) and leaks nothing', async () => {
    // Counted around the model's whole life: inference caches folded filters in the model.
    const before = tf.memory().numTensors;
    const model = smallModelUnloaded('fasterrcnn');
    const detections = await model.predict(images);
    expect(detections).toHaveLength(images.length);
    for (const detection of detections) expect(detection.boxes.shape[1]).toBe(4);
    disposeDetections(detections);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
