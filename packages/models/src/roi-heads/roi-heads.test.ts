import {
  asBoxes,
  type Boxes,
  disposeFeatureMaps,
  type FeatureMaps,
  type Instances,
  type LossRecord,
} from '@rcnn/core';
import type { BranchPrediction, RoiHeadBranch } from '@rcnn/heads';
import { GivenProposals } from '@rcnn/rpn';
import { describeEachBackend, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { disposeDetections } from '../detector-instances';
import { GeneralizedRcnn } from '../generalized-rcnn';
import { smallImages, smallModel } from '../test-support/small-model';
import { RoiHeads } from './roi-heads';

/** A user branch (vision#2229): adds each detection's box area as `maskScores`, to check the merging. */
class AreaBranch implements RoiHeadBranch {
  readonly specificationVersion = 'v1';
  readonly name = 'area';
  readonly pooler = {
    specificationVersion: 'v1' as const,
    outputSize: [1, 1] as const,
    pool: () => tf.zeros([0, 1, 1, 1]) as tf.Tensor4D,
  };
  disposed = false;
  async predict(_features: FeatureMaps, detections: readonly Instances[]): Promise<BranchPrediction[]> {
    return detections.map((d) => ({
      maskScores: tf.tidy(() => {
        const [x1, y1, x2, y2] = tf.unstack(d.boxes, 1);
        return tf.mul(tf.sub(x2!, x1!), tf.sub(y2!, y1!)) as tf.Tensor1D;
      }),
    }));
  }
  loss(): LossRecord {
    return {};
  }
  trainableVariables(): tf.Variable[] {
    return [];
  }
  dispose(): void {
    this.disposed = true;
  }
}

describeEachBackend('RoiHeads', () => {
  let model: GeneralizedRcnn;
  let images: tf.Tensor3D[];
  let features: FeatureMaps;
  let imageSizes: [number, number][];

  beforeAll(() => {
    model = smallModel('maskrcnn');
    images = smallImages();
    const batch = model.transform.toBatch(images);
    features = model.backbone.forward(batch.tensor);
    imageSizes = batch.imageSizes.map(([h, w]) => [h, w]);
    batch.tensor.dispose();
  });
  afterAll(() => {
    model.dispose();
    tf.dispose(images);
    disposeFeatureMaps(features);
  });

  const boxesOf = (rows: number[][]): Boxes => asBoxes(tf.tensor2d(rows.flat(), [rows.length, 4]));

  it('no proposals for an image gives empty, well-shaped instances there; the other image is unaffected', async () => {
    const some = boxesOf([
      [1, 2, 20, 24],
      [5, 5, 30, 20],
      [0, 0, 12, 31],
    ]);
    const none = boxesOf([]);
    const both = await model.roiHeads.predict(features, [some, none], imageSizes);
    expect(both[1]!.boxes.shape).toEqual([0, 4]);
    expect(both[1]!.masks!.shape).toEqual([0, 28, 28]);
    const other = await model.roiHeads.predict(features, [some, boxesOf([[2, 2, 9, 9]])], imageSizes);
    expect(maxAbsDiff(both[0]!.boxes, other[0]!.boxes)).toBe(0);
    expect(maxAbsDiff(both[0]!.masks!, other[0]!.masks!)).toBe(0);
    const nothing = await model.roiHeads.predict(features, [none, none], imageSizes);
    expect(nothing.map((d) => d.boxes.shape[0])).toEqual([0, 0]);
    [both, other, nothing].forEach(disposeDetections);
    tf.dispose([some, none]);
  });

  it('a user branch runs after the built-in ones and its fields are merged; no leaks', async () => {
    const area = new AreaBranch();
    const heads = new RoiHeads({ box: model.roiHeads.box, branches: [...model.roiHeads.branches, area] });
    const proposals = [boxesOf([[1, 2, 20, 24]]), boxesOf([[3, 3, 18, 30]])];
    const detections = await heads.predict(features, proposals, imageSizes);
    for (const detection of detections) {
      const n = detection.boxes.shape[0];
      expect(detection.masks!.shape).toEqual([n, 28, 28]);
      expect(detection.maskScores!.shape).toEqual([n]);
    }
    disposeDetections(detections);
    await expectNoLeaks(async () => disposeDetections(await heads.predict(features, proposals, imageSizes)));
    expect(() => new RoiHeads({ box: model.roiHeads.box, branches: [area, area] })).toThrow(/unique/);
    tf.dispose(proposals);
  });

  it('Fast R-CNN: GivenProposals feed the RoI heads; predict maps to original pixels', async () => {
    // The boxes of each image in resized pixels: the whole image and its top-left quarter.
    const given = imageSizes.map(([h, w]) =>
      boxesOf([
        [0, 0, w, h],
        [0, 0, w / 2, h / 2],
      ]),
    );
    const fast = new GeneralizedRcnn({
      transform: model.transform,
      backbone: model.backbone,
      proposalGenerator: new GivenProposals(given),
      roiHeads: model.roiHeads,
    });
    const detections = await fast.predict(images);
    expect(detections.map((d) => d.imageSize)).toEqual([
      [40, 56],
      [50, 30],
    ]);
    for (const detection of detections) {
      const [height, width] = detection.imageSize;
      const boxes = (await detection.boxes.array()) as number[][];
      for (const [, , x2, y2] of boxes) expect(x2! <= width + 1e-3 && y2! <= height + 1e-3).toBe(true);
    }
    disposeDetections(detections);
    await expectNoLeaks(async () => disposeDetections(await fast.predict(images)));
    tf.dispose(given);
  });
});
