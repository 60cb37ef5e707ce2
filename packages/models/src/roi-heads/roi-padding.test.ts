import { disposeFeatureMaps, type FeatureMaps, type ImageSize, type Proposals } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DetectorInstances, detectionFieldsOf, disposeDetections } from '../detector-instances';
import type { GeneralizedRcnn } from '../generalized-rcnn';
import { smallImages, smallModel } from '../test-support/small-model';
import { RoiHeads } from './roi-heads';
import type { RoiPadding } from './roi-padding';

/** The model's RoI heads with padding on (same parts and settings). */
function paddedHeads(model: GeneralizedRcnn, roiPadding: RoiPadding): RoiHeads {
  const { box, branches, boxCoder, scoreThresh, nmsThresh, detectionsPerImage } = model.roiHeads;
  return new RoiHeads({ box, branches, boxCoder, scoreThresh, nmsThresh, detectionsPerImage, roiPadding });
}

function expectSameDetections(actual: DetectorInstances[], expected: DetectorInstances[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, detection] of expected.entries()) {
    const fields = detectionFieldsOf(detection);
    expect(detectionFieldsOf(actual[i]!).map(([name]) => name)).toEqual(fields.map(([name]) => name));
    for (const [name, tensor] of fields) {
      const other = actual[i]![name]!;
      expect(other.shape, `${name} of image ${i}`).toEqual(tensor.shape);
      // Every RoI is computed on its own: padding changes nothing beyond float noise.
      expect(maxAbsDiff(other, tensor), `${name} of image ${i}`).toBeLessThan(1e-5);
    }
  }
}

describeEachBackend('RoiHeads with roiPadding', () => {
  for (const family of ['maskrcnn', 'keypointrcnn'] as const) {
    let model: GeneralizedRcnn;
    let features: FeatureMaps;
    let proposals: Proposals[];
    let imageSizes: readonly ImageSize[];

    beforeAll(async () => {
      model = smallModel(family);
      const images = smallImages();
      const batch = model.transform.toBatch(images);
      features = model.backbone.forward(batch.tensor);
      proposals = await model.proposalGenerator.predict(batch, features);
      imageSizes = batch.imageSizes;
      tf.dispose([batch.tensor, ...images]);
    });
    afterAll(() => {
      model.dispose();
      disposeFeatureMaps(features);
      tf.dispose(proposals.flatMap((p) => [p.boxes, p.scores]));
    });

    it(`${family}: padded proposals and detections give the unpadded detections, no leaks`, async () => {
      const boxes = proposals.map((p) => p.boxes);
      expect(boxes.map((b) => b.shape[0] % 16 !== 0).some(Boolean)).toBe(true); // padding happens
      const expected = await model.roiHeads.predict(features, boxes, imageSizes);
      expect(expected.some((d) => d.boxes.shape[0] % 4 !== 0)).toBe(true);
      for (const padding of [
        { proposals: 16, detections: 4 },
        { proposals: 1, detections: 1 },
      ]) {
        const heads = paddedHeads(model, padding);
        const actual = await heads.predict(features, boxes, imageSizes);
        expectSameDetections(actual, expected);
        disposeDetections(actual);
        await expectNoLeaks(async () => disposeDetections(await heads.predict(features, boxes, imageSizes)));
      }
      disposeDetections(expected);
    });
  }

  it('rejects a padding that is not a positive integer', () => {
    const model = smallModel('fasterrcnn');
    try {
      expect(() => paddedHeads(model, { proposals: 0, detections: 8 })).toThrow(/roiPadding.proposals/);
      expect(() => paddedHeads(model, { proposals: 32, detections: 1.5 })).toThrow(/roiPadding.detections/);
    } finally {
      model.dispose();
    }
  });
});
