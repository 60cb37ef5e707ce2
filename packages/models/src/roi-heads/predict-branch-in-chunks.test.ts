import { asBoxes, type Boxes, disposeFeatureMaps, type FeatureMaps } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, randomBoxes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DetectorInstances, detectionFieldsOf, disposeDetections } from '../detector-instances';
import type { GeneralizedRcnn } from '../generalized-rcnn';
import { smallImages, smallModel } from '../test-support/small-model';
import { BRANCH_PREDICT_CHUNK, predictBranchInChunks } from './predict-branch-in-chunks';
import { RoiHeads } from './roi-heads';

/** Every field of `actual` and `expected`, read back: equal values, exactly. */
async function expectSameDetections(
  actual: readonly DetectorInstances[],
  expected: readonly DetectorInstances[],
): Promise<void> {
  expect(actual).toHaveLength(expected.length);
  for (const [i, detection] of actual.entries()) {
    const fields = detectionFieldsOf(detection);
    expect(fields.map(([name]) => name)).toEqual(detectionFieldsOf(expected[i]!).map(([name]) => name));
    for (const [name, tensor] of fields) {
      const other = expected[i]![name]!;
      expect(tensor.shape, name).toEqual(other.shape);
      expect(Array.from(await tensor.data()), name).toEqual(Array.from(await other.data()));
    }
  }
}

describeEachBackend('predictBranchInChunks', (backend) => {
  // cpu is slow on 140 RoIs: it checks the chunking on fewer, wasm also above the default chunk.
  const proposalCounts = backend === 'cpu' ? [24, 12] : [70, 50];
  for (const family of ['maskrcnn', 'keypointrcnn'] as const) {
    let model: GeneralizedRcnn;
    let images: tf.Tensor3D[];
    let features: FeatureMaps;
    let imageSizes: [number, number][];
    let proposals: Boxes[];

    beforeAll(() => {
      model = smallModel(family);
      images = smallImages();
      const batch = model.transform.toBatch(images);
      features = model.backbone.forward(batch.tensor);
      imageSizes = batch.imageSizes.map(([h, w]) => [h, w]);
      batch.tensor.dispose();
      // Different counts per image, so later rounds pass an empty slice for the smaller one.
      proposals = imageSizes.map(([height, width], i) => {
        const n = proposalCounts[i]!;
        return asBoxes(tf.tensor2d(randomBoxes(n, { width, height, seed: 7 + i }), [n, 4]));
      });
    });
    afterAll(() => {
      model.dispose();
      tf.dispose([...images, ...proposals]);
      disposeFeatureMaps(features);
    });

    /** Box-branch detections without any branch: every class of every proposal kept (up to 2 per RoI). */
    const boxDetections = () =>
      new RoiHeads({
        box: model.roiHeads.box,
        scoreThresh: 0,
        nmsThresh: 1,
        detectionsPerImage: 1000,
      }).predict(features, proposals, imageSizes);

    /** Each branch of the model run on `detections` in chunks of `chunkSize`, merged as RoiHeads does. */
    async function withBranches(detections: DetectorInstances[], chunkSize: number) {
      let merged = detections;
      for (const branch of model.roiHeads.branches) {
        const added = await predictBranchInChunks(branch, features, merged, chunkSize);
        merged = merged.map((detection, i) => ({ ...detection, ...added[i] }));
      }
      return merged;
    }

    it(`${family}: chunks of 7 give exactly one unchunked call's fields, on two images of different counts`, async () => {
      const base = await boxDetections();
      const counts = base.map((detection) => detection.boxes.shape[0]);
      expect(counts[0]).toBeGreaterThan(7 * 4);
      expect(counts[0]).not.toBe(counts[1]);
      const whole = await withBranches(base, Number.POSITIVE_INFINITY);
      const chunked = await withBranches(await boxDetections(), 7);
      expect(whole[0]!.masks ?? whole[0]!.keypoints).toBeDefined();
      await expectSameDetections(chunked, whole);
      disposeDetections([...whole, ...chunked]);
    });

    it.skipIf(backend === 'cpu')(
      `${family}: RoiHeads.predict above ${BRANCH_PREDICT_CHUNK} detections chunks and equals the unchunked branches; no leaks`,
      async () => {
        const heads = new RoiHeads({
          box: model.roiHeads.box,
          branches: model.roiHeads.branches,
          scoreThresh: 0,
          nmsThresh: 1,
          detectionsPerImage: 1000,
        });
        const predicted = await heads.predict(features, proposals, imageSizes);
        expect(predicted[0]!.boxes.shape[0]).toBeGreaterThan(BRANCH_PREDICT_CHUNK);
        const whole = await withBranches(await boxDetections(), Number.POSITIVE_INFINITY);
        await expectSameDetections(predicted, whole);
        disposeDetections([...predicted, ...whole]);
        await expectNoLeaks(async () =>
          disposeDetections(await heads.predict(features, proposals, imageSizes)),
        );
      },
    );
  }
});
