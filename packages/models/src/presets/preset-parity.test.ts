import { asBoxes, disposeFeatureMaps } from '@rcnn/core';
import { describeEachBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { disposeDetections } from '../detector-instances';
import type { GeneralizedRcnn } from '../generalized-rcnn';
import { type FixtureName, fixtureImages, fixtureModel, modelFixture } from '../test-support/model-fixture';
import {
  compareProposals,
  expectSameDetections,
  fixtureDetections,
  maxMaskDifference,
  maxRowDifference,
  minMaskIou,
  plainInstances,
} from '../test-support/parity-checks';

const PRESETS: FixtureName[] = [
  'fasterrcnn_resnet50_fpn',
  'maskrcnn_resnet50_fpn',
  'keypointrcnn_resnet50_fpn',
];

function format(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key} ${Number.isInteger(value) ? value : value.toExponential(2)}`)
    .join(', ');
}

// ResNet-50-FPN with 1000 proposals per image: wasm only (cpu would take minutes per preset).
for (const name of PRESETS) {
  describeEachBackend(`${name} vs torchvision`, () => {
    const fixture = modelFixture(name);
    const keypointsPerInstance = fixture.options.num_keypoints ?? 0;
    let model: GeneralizedRcnn;
    let images: tf.Tensor3D[];

    beforeAll(() => {
      model = fixtureModel(fixture);
      images = fixtureImages(fixture);
    });
    afterAll(() => {
      model.dispose();
      tf.dispose(images);
    });

    it('stage by stage: sizes, proposals, and RoI heads given torchvision proposals', async () => {
      const batch = model.transform.toBatch(images);
      expect(batch.imageSizes).toEqual(fixture.resizedSizes);
      const features = model.backbone.forward(batch.tensor);
      const proposalGenerator = model.proposalGenerator;
      const proposals = await proposalGenerator.predict(batch, features);
      const given = images.map((_, i) => {
        const data = fixture.floats(`image${i}/proposals`);
        return asBoxes(tf.tensor2d(data, [data.length / 4, 4]));
      });
      const detections = await model.roiHeads.predict(features, given, batch.imageSizes);
      try {
        for (let i = 0; i < images.length; i++) {
          const ours = await proposals[i]!.boxes.data<'float32'>();
          const rpn = compareProposals(ours as Float32Array, fixture.floats(`image${i}/proposals`));
          console.info(`${name} image ${i} proposals: ${format(rpn)} (px)`);
          expect(rpn.ours).toBe(rpn.theirs);
          expect(rpn.unmatched, 'proposals without a counterpart (near-tie swaps)').toBeLessThanOrEqual(5);

          const plain = await plainInstances(detections[i]!);
          const match = expectSameDetections(
            plain,
            fixtureDetections(fixture, i, 'roi'),
            `${name} roi image ${i}`,
          );
          const figures: Record<string, number> = {
            detections: plain.scores.length,
            unmatched: match.theirsUnmatched.length,
            box: match.maxBoxDiff,
            score: match.maxScoreDiff,
          };
          if (fixture.has(`image${i}/roi/masks`)) {
            figures.mask = maxMaskDifference(
              match,
              plain.masks!,
              fixture.floats(`image${i}/roi/masks`),
              28 * 28,
            );
            expect(figures.mask, '28x28 mask probabilities').toBeLessThan(1e-4);
          }
          if (fixture.has(`image${i}/roi/keypoints`)) {
            const theirs = fixture.floats(`image${i}/roi/keypoints`);
            figures.keypoint = maxRowDifference(
              match,
              plain.keypoints!,
              theirs,
              keypointsPerInstance * 3,
              3,
              2,
            );
            figures.keypointScore = maxRowDifference(
              match,
              plain.keypointScores!,
              fixture.floats(`image${i}/roi/keypoints_scores`),
              keypointsPerInstance,
              1,
              1,
            );
            expect(figures.keypoint, 'keypoints (px)').toBeLessThan(0.5);
            expect(figures.keypointScore, 'keypoint scores (logits)').toBeLessThan(1e-4);
          }
          console.info(`${name} image ${i} RoI heads given torchvision proposals: ${format(figures)}`);
        }
      } finally {
        tf.dispose([batch.tensor, ...given, ...proposals.flatMap((p) => [p.boxes, p.scores])]);
        disposeFeatureMaps(features);
        disposeDetections(detections);
      }
    });

    it('end to end: predict(images) gives torchvision final detections in original pixels', async () => {
      const stages: string[] = [];
      const detections = await model.predict(images, {
        pasteMasks: true,
        onStage: (stage, ms) => stages.push(`${stage} ${ms.toFixed(0)} ms`),
      });
      console.info(`${name} predict of two images: ${stages.join(', ')}`);
      try {
        for (let i = 0; i < images.length; i++) {
          const [, height, width] = fixture.imageShapesChw[i]!;
          expect(detections[i]!.imageSize).toEqual([height, width]);
          const plain = await plainInstances(detections[i]!);
          const match = expectSameDetections(
            plain,
            fixtureDetections(fixture, i, 'final'),
            `${name} final image ${i}`,
          );
          const figures: Record<string, number> = {
            unmatched: match.theirsUnmatched.length,
            box: match.maxBoxDiff,
            score: match.maxScoreDiff,
          };
          if (fixture.has(`image${i}/final/masks_binary`)) {
            expect(plain.maskShape).toEqual([plain.scores.length, height, width]);
            figures.minMaskIou = minMaskIou(
              match,
              plain.masks!,
              fixture.bytes(`image${i}/final/masks_binary`),
              height * width,
            );
            expect(figures.minMaskIou, 'mask IoU').toBeGreaterThanOrEqual(0.99);
          }
          if (fixture.has(`image${i}/final/keypoints`)) {
            const theirs = fixture.floats(`image${i}/final/keypoints`);
            figures.keypoint = maxRowDifference(
              match,
              plain.keypoints!,
              theirs,
              keypointsPerInstance * 3,
              3,
              2,
            );
            expect(figures.keypoint, 'keypoints (px)').toBeLessThan(0.5);
          }
          console.info(`${name} image ${i} end to end: ${format(figures)}`);
        }
      } finally {
        disposeDetections(detections);
      }
    });
  }, ['wasm']);
}
