import { asBoxes, BoxCoder, type FeatureMaps, type GroundTruth } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { appendGtProposals } from '../samples/append-gt-proposals';
import { buildRoiSamples, disposeRoiSamples, type RoiSamples } from '../samples/build-roi-samples';

/** Test-only: a two-image training step (64x64 images, one 16x16x4 level, 3 classes, 3 keypoints). */
export interface BranchFixture {
  readonly features: FeatureMaps;
  readonly targets: GroundTruth[];
  readonly samples: RoiSamples[];
  dispose(): void;
}

function box(x1: number, y1: number, x2: number, y2: number): number[] {
  return [x1, y1, x2, y2];
}

function blobMask(size: number, [x1, y1, x2, y2]: number[]): number[][] {
  return Array.from({ length: size }, (_, y) =>
    Array.from({ length: size }, (_, x) =>
      x >= x1! + 2 && x < x2! - 1 && y >= y1! + 1 && y < y2! - 2 ? 1 : 0,
    ),
  );
}

export function branchFixture(): BranchFixture {
  const gt = [[box(4, 6, 30, 40), box(28, 20, 60, 58)], [box(10, 10, 50, 44)]];
  const labels = [[1, 2], [2]];
  const proposals = [
    [box(5, 5, 31, 42), box(40, 2, 62, 12), box(30, 22, 58, 55), box(0, 40, 20, 63), box(12, 30, 22, 60)],
    [box(1, 50, 20, 63), box(11, 12, 48, 40), box(40, 40, 63, 63)],
  ];
  const matches = [
    { matchedGtIndices: [0, -1, 1, -1, -1, 0, 1], sampledPositive: [0, 2, 5, 6], sampledNegative: [1, 3] },
    { matchedGtIndices: [-1, 0, -1, 0], sampledPositive: [1, 3], sampledNegative: [0, 2] },
  ];
  const features: FeatureMaps = [
    { name: 'p2', stride: 4, tensor: tf.randomUniform([2, 16, 16, 4], -1, 1, 'float32', 11) as tf.Tensor4D },
  ];
  const targets: GroundTruth[] = gt.map((boxes, i) => ({
    boxes: asBoxes(tf.tensor2d(boxes)),
    labels: tf.tensor1d(labels[i]!, 'int32'),
    masks: tf.tensor3d(boxes.map((b) => blobMask(64, b))),
    keypoints: tf.tensor3d(
      boxes.map(([x1, y1, x2, y2]) => [
        [x1! + 3, y1! + 4, 2],
        [(x1! + x2!) / 2, (y1! + y2!) / 2, 1],
        [x2! - 1, y2! - 2, 0],
      ]),
    ),
  }));
  const boxCoder = new BoxCoder({ weights: [10, 10, 5, 5] });
  const samples = proposals.map((raw, i) => {
    const rawBoxes = asBoxes(tf.tensor2d(raw));
    const withGt = appendGtProposals(rawBoxes, targets[i]!.boxes);
    const result = buildRoiSamples({
      proposals: withGt,
      groundTruth: targets[i]!,
      match: matches[i]!,
      boxCoder,
    });
    tf.dispose([rawBoxes, withGt]);
    return result;
  });
  return {
    features,
    targets,
    samples,
    dispose() {
      tf.dispose(features.map((f) => f.tensor));
      for (const t of targets) tf.dispose([t.boxes, t.labels, t.masks!, t.keypoints!]);
      samples.forEach(disposeRoiSamples);
    },
  };
}
