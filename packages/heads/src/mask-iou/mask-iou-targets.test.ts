import { asBoxes, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { HEADS_LOSS_KEYS } from '../loss-keys';
import { maskAreaRatios } from './mask-area-ratios';
import { maskIouLoss } from './mask-iou-loss';
import { maskIouTargets } from './mask-iou-targets';

/** Straightforward reference: count pixels of mask[y1:y2+1, x1:x2+1] with truncated coordinates. */
function areaRatioByLoops(mask: number[][], [x1, y1, x2, y2]: number[]): number {
  const total = mask.flat().reduce((a, b) => a + b, 0);
  let inside = 0;
  for (let y = Math.trunc(y1!); y <= Math.trunc(y2!) && y < mask.length; y++) {
    for (let x = Math.trunc(x1!); x <= Math.trunc(x2!) && x < mask[0]!.length; x++) inside += mask[y]![x]!;
  }
  return inside / (total + 1e-7);
}

describeEachBackend('MaskIoU targets and loss', () => {
  const masks = [
    [
      [0, 1, 1, 1, 0, 0, 0, 0],
      [0, 1, 1, 1, 1, 0, 0, 0],
      [0, 0, 1, 1, 1, 1, 0, 0],
      [0, 0, 0, 1, 1, 1, 1, 0],
      [0, 0, 0, 0, 0, 1, 1, 1],
      [0, 0, 0, 0, 0, 0, 1, 1],
    ],
    Array.from({ length: 6 }, () => Array(8).fill(0)), // empty instance
  ];
  const boxes = [
    [1.7, 0.2, 4.9, 3.0],
    [0, 0, 7.99, 5.5],
    [5.2, 3.9, 20, 30], // runs off the image
    [3, 2, 3, 2], // one pixel
    [2, 2, 5, 5],
  ];
  const matched = [0, 0, 0, 0, 1];

  it('measures the share of the GT instance inside each proposal', async () => {
    const gtMasks = tf.tensor3d(masks);
    const proposals = asBoxes(tf.tensor2d(boxes));
    const ratios = maskAreaRatios({ gtMasks, proposals, matchedGtIndices: matched });
    const expected = boxes.map((box, i) => areaRatioByLoops(masks[matched[i]!]!, box));
    const actual = Array.from(await ratios.data());
    for (const [i, value] of actual.entries()) expect(value).toBeCloseTo(expected[i]!, 6);
    expect(expected[4]).toBe(0);
    tf.dispose([gtMasks, proposals, ratios]);
  });

  it('computes IoU against the whole instance', async () => {
    const probabilities = tf.tensor3d([
      [
        [0.9, 0.2],
        [0.6, 0.4],
      ],
      [
        [0.1, 0.1],
        [0.1, 0.1],
      ],
    ]);
    const targets = tf.tensor3d([
      [
        [1, 1],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ]);
    // overlap 1, predicted area 2, target area 2 -> whole instance 4 at ratio 0.5: 1 / (2 + 4 - 1)
    const ratios = tf.tensor1d([0.5, 1]);
    const scaled = maskIouTargets({
      maskProbabilities: probabilities,
      maskTargets: targets,
      areaRatios: ratios,
    });
    const plain = maskIouTargets({ maskProbabilities: probabilities, maskTargets: targets });
    const [first, second] = Array.from(await scaled.data());
    expect(first).toBeCloseTo(0.2, 5);
    expect(second).toBe(0); // empty union
    expect((await plain.data())[0]).toBeCloseTo(1 / 3, 5);
    expect(() =>
      maskIouTargets({ maskProbabilities: probabilities, maskTargets: tf.zeros([2, 3, 3]) as tf.Tensor3D }),
    ).toThrow(RcnnError);
    tf.dispose([probabilities, targets, ratios, scaled, plain]);
  });

  it('regresses the GT class column on RoIs with a positive target: 0.5 * mean squared error', async () => {
    const prediction = tf.tensor2d([
      [0.1, 0.7, 0.3],
      [0.5, 0.2, 0.9],
      [0.4, 0.4, 0.4],
    ]);
    const targets = tf.tensor1d([0.5, 0, 0.6]);
    const loss = maskIouLoss({ maskIouPrediction: prediction, labels: [1, 2, 0], maskIouTargets: targets });
    // rows 0 and 2 count: (0.7 - 0.5)^2 and (0.4 - 0.6)^2 -> 0.5 * 0.08 / 2
    expect((await loss[HEADS_LOSS_KEYS.maskIouL2].data())[0]).toBeCloseTo(0.02, 6);
    const none = maskIouLoss({
      maskIouPrediction: prediction,
      labels: [1, 2, 0],
      maskIouTargets: tf.zeros([3]),
    });
    expect(Math.abs((await none[HEADS_LOSS_KEYS.maskIouL2].data())[0]!)).toBe(0);
    tf.dispose([prediction, targets, ...Object.values(loss), ...Object.values(none)]);
  });

  it('does not leak', async () => {
    const gtMasks = tf.tensor3d(masks);
    const proposals = asBoxes(tf.tensor2d(boxes));
    const probabilities = tf.randomUniform([5, 4, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const targets = tf.randomUniform([5, 4, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    const prediction = tf.randomUniform([5, 2], 0, 1, 'float32', 3) as tf.Tensor2D;
    await expectNoLeaks(() => {
      const ratios = maskAreaRatios({ gtMasks, proposals, matchedGtIndices: matched });
      const iou = maskIouTargets({
        maskProbabilities: probabilities,
        maskTargets: targets,
        areaRatios: ratios,
      });
      const loss = maskIouLoss({
        maskIouPrediction: prediction,
        labels: [1, 0, 1, 1, 0],
        maskIouTargets: iou,
      });
      tf.dispose([ratios, iou, ...Object.values(loss)]);
    });
    tf.dispose([gtMasks, proposals, probabilities, targets, prediction]);
  });
});
