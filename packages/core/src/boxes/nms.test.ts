import { describeEachBackend, expectNoLeaks, randomBoxes, seededRandom } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { asBoxes } from '../types/boxes';
import { fixtureArray, fixtureBoxes, fixtureMeta, fixtureTensor } from './__fixtures__/box-ops';
import { nms } from './nms';
import { pairwiseIou } from './pairwise-iou';

const cases = Object.entries(fixtureMeta<Record<string, number[]>>('nms')).flatMap(([name, thresholds]) =>
  thresholds.map((threshold, position) => ({ name, threshold, position })),
);

describeEachBackend('nms (parity with torchvision.ops.nms)', () => {
  it.each(cases)(
    'keeps exactly what torchvision keeps: $name @ $threshold',
    async ({ name, threshold, position }) => {
      const boxes = fixtureBoxes(`nms/${name}/boxes`);
      const scores = fixtureTensor(`nms/${name}/scores`) as tf.Tensor1D;
      const keep = await nms(boxes, scores, threshold);
      expect(keep.dtype).toBe('int32');
      expect(Array.from(await keep.data())).toEqual(
        Array.from(fixtureArray(`nms/${name}/keep/${position}`).data),
      );
      tf.dispose([boxes, scores, keep]);
    },
  );

  it('suppresses only on IoU strictly above the threshold', async () => {
    // IoU of these two is exactly 0.5 in float32.
    const boxes = asBoxes(
      tf.tensor2d([
        [0, 0, 2, 1],
        [0, 0, 1, 1],
      ]),
    );
    const scores = tf.tensor1d([0.9, 0.8]);
    const atHalf = await nms(boxes, scores, 0.5);
    const below = await nms(boxes, scores, 0.4999);
    expect(Array.from(atHalf.dataSync())).toEqual([0, 1]);
    expect(Array.from(below.dataSync())).toEqual([0]);
    tf.dispose([boxes, scores, atHalf, below]);
  });

  it('keeps boxes sorted by score with no kept pair above the threshold (random inputs)', async () => {
    const random = seededRandom(11);
    const n = 150;
    const boxes = asBoxes(tf.tensor2d(randomBoxes(n, { seed: 12, width: 60, height: 60 }), [n, 4]));
    const scores = tf.tensor1d(Float32Array.from({ length: n }, random));
    const keep = await nms(boxes, scores, 0.4);
    const kept = Array.from(keep.dataSync());
    const keptScores = kept.map((index) => scores.dataSync()[index]!);
    for (let i = 1; i < kept.length; i++) expect(keptScores[i - 1]).toBeGreaterThanOrEqual(keptScores[i]!);
    const keptBoxes = asBoxes(tf.gather(boxes, keep));
    const iou = pairwiseIou(keptBoxes, keptBoxes).arraySync();
    for (let i = 0; i < kept.length; i++)
      for (let j = 0; j < i; j++) expect(iou[i]![j]).toBeLessThanOrEqual(0.4);
    expect(kept.length).toBeLessThan(n);
    tf.dispose([boxes, scores, keep, keptBoxes]);
  });

  it('rejects mismatched shapes and a NaN threshold with RcnnError', async () => {
    const boxes = asBoxes(tf.zeros([3, 4]));
    const twoScores = tf.zeros([2]) as tf.Tensor1D;
    const threeScores = tf.zeros([3]) as tf.Tensor1D;
    const wrongBoxes = tf.zeros([3, 3]);
    await expect(nms(boxes, twoScores, 0.5)).rejects.toThrow(/scores must have shape \[3\]/);
    await expect(nms(wrongBoxes as never, threeScores, 0.5)).rejects.toThrow(RcnnError);
    await expect(nms(boxes, threeScores, Number.NaN)).rejects.toThrow(RcnnError);
    tf.dispose([boxes, twoScores, threeScores, wrongBoxes]);
  });

  it('does not leak', async () => {
    const boxes = asBoxes(tf.tensor2d(randomBoxes(30, { seed: 2 }), [30, 4]));
    const scores = tf.tensor1d(Float32Array.from({ length: 30 }, seededRandom(3)));
    const empty = asBoxes(tf.zeros([0, 4]));
    const noScores = tf.zeros([0]) as tf.Tensor1D;
    await expectNoLeaks(async () => {
      tf.dispose([await nms(boxes, scores, 0.5), await nms(empty, noScores, 0.5)]);
    });
    tf.dispose([boxes, scores, empty, noScores]);
  });
});
