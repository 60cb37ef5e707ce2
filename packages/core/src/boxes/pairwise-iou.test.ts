import { describeEachBackend, expectNoLeaks, randomBoxes, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { asBoxes } from '../types/boxes';
import { fixtureArray, fixtureBoxes } from './__fixtures__/box-ops';
import { boxArea } from './box-area';
import { pairwiseIou } from './pairwise-iou';

/** Elementwise relative error, NaN required where torchvision has NaN. */
function worstRelative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]!)) {
      expect(actual[i], `NaN expected at ${i}`).toBeNaN();
      continue;
    }
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), 1e-6));
  }
  return worst;
}

describeEachBackend('pairwiseIou / boxArea (parity with torchvision.ops.box_iou / box_area)', () => {
  it('matches box_iou on edge-case and clustered boxes to 1e-5 relative', () => {
    const a = fixtureBoxes('iou/a');
    const b = fixtureBoxes('iou/b');
    const iou = pairwiseIou(a, b);
    const expected = fixtureArray('iou/expected');
    expect(iou.shape).toEqual(expected.shape);
    const values = iou.dataSync();
    // The edge cases include two identical zero-area boxes (0 / 0): NaN as in torchvision.
    expect(Array.from(expected.data).some(Number.isNaN)).toBe(true);
    expect(worstRelative(values, expected.data)).toBeLessThan(1e-5);
    tf.dispose([a, b, iou]);
  });

  it('matches box_area, negative for inverted boxes', () => {
    const a = fixtureBoxes('iou/a');
    const area = boxArea(a);
    expect(relativeError(area, fixtureArray('area/expected').data)).toBeLessThan(1e-6);
    expect(Math.min(...area.dataSync())).toBeLessThan(0);
    tf.dispose([a, area]);
  });

  it('is symmetric and 1 on the diagonal for valid boxes', () => {
    const boxes = asBoxes(tf.tensor2d(randomBoxes(20, { seed: 3 }), [20, 4]));
    const iou = pairwiseIou(boxes, boxes);
    const values = iou.arraySync();
    for (let i = 0; i < 20; i++) {
      expect(values[i]![i]).toBeCloseTo(1, 6);
      for (let j = 0; j < 20; j++) expect(values[i]![j]).toBeCloseTo(values[j]![i]!, 6);
    }
    tf.dispose([boxes, iou]);
  });

  it('gives [N, 0] and [0, M] for empty inputs', () => {
    const some = asBoxes(tf.tensor2d(randomBoxes(3), [3, 4]));
    const none = asBoxes(tf.zeros([0, 4]));
    const left = pairwiseIou(some, none);
    const right = pairwiseIou(none, some);
    expect(left.shape).toEqual([3, 0]);
    expect(right.shape).toEqual([0, 3]);
    const area = boxArea(none);
    expect(area.shape).toEqual([0]);
    tf.dispose([some, none, left, right, area]);
  });

  it('rejects tensors that are not [N, 4] with RcnnError', () => {
    const wrong = tf.zeros([3, 5]) as tf.Tensor2D;
    const flat = tf.zeros([4]);
    const ok = asBoxes(tf.zeros([2, 4]));
    expect(() => pairwiseIou(wrong as never, ok)).toThrow(RcnnError);
    expect(() => pairwiseIou(ok, flat as never)).toThrow(/boxesB must have shape \[N, 4\]/);
    expect(() => boxArea(wrong as never)).toThrow(RcnnError);
    tf.dispose([wrong, flat, ok]);
  });

  it('does not leak', async () => {
    const a = asBoxes(tf.tensor2d(randomBoxes(8, { seed: 5 }), [8, 4]));
    const empty = asBoxes(tf.zeros([0, 4]));
    await expectNoLeaks(() => {
      tf.dispose([pairwiseIou(a, a), pairwiseIou(a, empty), boxArea(a)]);
    });
    tf.dispose([a, empty]);
  });
});
