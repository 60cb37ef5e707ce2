import { asBoxes, disposeFeatureMaps, type FeatureMaps, type ImageSize, type Proposals } from '@rcnn/core';
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

function expectSameDetections(
  actual: DetectorInstances[],
  expected: DetectorInstances[],
  tolerance = 1e-5,
): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, detection] of expected.entries()) {
    const fields = detectionFieldsOf(detection);
    expect(detectionFieldsOf(actual[i]!).map(([name]) => name)).toEqual(fields.map(([name]) => name));
    for (const [name, tensor] of fields) {
      const other = actual[i]![name]!;
      expect(other.shape, `${name} of image ${i}`).toEqual(tensor.shape);
      // Every RoI is computed on its own: padding changes nothing beyond float noise.
      expect(maxAbsDiff(other, tensor), `${name} of image ${i}`).toBeLessThanOrEqual(tolerance);
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
    it(`${family}: counts at, one past and below the multiples, and none, give the unpadded results exactly`, async () => {
      const multiple = 8;
      // proposals per image: one past and at a multiple, none, two multiples and one past, ...
      const countSets = [
        [multiple + 1, multiple],
        [0, 2 * multiple + 1],
        [2 * multiple, 1],
      ];
      const available = proposals.map((p) => p.boxes.shape[0]);
      expect(Math.min(...available)).toBeGreaterThanOrEqual(2 * multiple + 1);
      const seen = { none: false, atMultiple: false, onePast: false };
      for (const counts of countSets) {
        const boxes = counts.map((count, i) => asBoxes(tf.slice(proposals[i]!.boxes, 0, count)));
        const expected = await model.roiHeads.predict(features, boxes, imageSizes);
        const detected = expected.map((d) => d.boxes.shape[0]);
        // detection multiples that put an image's count exactly at a multiple and one past one
        const detectionMultiples = new Set([
          4,
          ...detected.filter((n) => n > 0),
          ...detected.filter((n) => n > 1).map((n) => n - 1),
        ]);
        for (const detections of detectionMultiples) {
          for (const n of detected) {
            seen.none ||= n === 0;
            seen.atMultiple ||= n > 0 && n % detections === 0;
            seen.onePast ||= n > 1 && n % detections === 1;
          }
          const heads = paddedHeads(model, { proposals: multiple, detections });
          const actual = await heads.predict(features, boxes, imageSizes);
          expectSameDetections(actual, expected, 0);
          disposeDetections(actual);
        }
        disposeDetections(expected);
        tf.dispose(boxes);
      }
      expect(seen).toEqual({ none: true, atMultiple: true, onePast: true });
      const heads = paddedHeads(model, { proposals: multiple, detections: 4 });
      const boxes = [
        asBoxes(tf.slice(proposals[0]!.boxes, 0, 0)),
        asBoxes(tf.slice(proposals[1]!.boxes, 0, multiple + 1)),
      ];
      await expectNoLeaks(async () => disposeDetections(await heads.predict(features, boxes, imageSizes)));
      tf.dispose(boxes);
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
