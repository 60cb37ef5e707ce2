import { describeEachBackend, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { asBoxes } from '../types/boxes';
import { fixtureArray, fixtureBoxes, fixtureMeta } from './__fixtures__/box-ops';
import { fromXywh, toXywh } from './box-convert';
import { clipBoxes } from './clip-boxes';
import { removeSmallBoxes } from './remove-small-boxes';

describeEachBackend('clipBoxes / removeSmallBoxes / xywh (parity with torchvision.ops)', () => {
  it('clips exactly like clip_boxes_to_image', () => {
    const boxes = fixtureBoxes('clip/boxes');
    const { size } = fixtureMeta<{ size: [number, number] }>('clip');
    const clipped = clipBoxes(boxes, size);
    expect(clipped.shape).toEqual([30, 4]);
    expect(maxAbsDiff(clipped, fixtureArray('clip/expected').data)).toBe(0);
    tf.dispose([boxes, clipped]);
  });

  it.each(fixtureMeta<number[]>('small').map((minSize, position) => ({ minSize, position })))(
    'keeps what remove_small_boxes keeps (min size $minSize)',
    async ({ minSize, position }) => {
      const boxes = fixtureBoxes('small/boxes');
      const keep = await removeSmallBoxes(boxes, minSize);
      expect(keep.dtype).toBe('int32');
      expect(Array.from(await keep.data())).toEqual(Array.from(fixtureArray(`small/keep/${position}`).data));
      tf.dispose([boxes, keep]);
    },
  );

  it('round-trips through xywh', () => {
    const boxes = asBoxes(
      tf.tensor2d([
        [1, 2, 11, 22],
        [5, 5, 5, 9],
      ]),
    );
    const xywh = toXywh(boxes);
    expect(Array.from(xywh.dataSync())).toEqual([1, 2, 10, 20, 5, 5, 0, 4]);
    const back = fromXywh(xywh);
    expect(Array.from(back.dataSync())).toEqual(Array.from(boxes.dataSync()));
    tf.dispose([boxes, xywh, back]);
  });

  it('handles zero boxes', async () => {
    const none = asBoxes(tf.zeros([0, 4]));
    const clipped = clipBoxes(none, [10, 10]);
    const keep = await removeSmallBoxes(none, 1);
    expect(clipped.shape).toEqual([0, 4]);
    expect(keep.shape).toEqual([0]);
    tf.dispose([none, clipped, keep]);
  });

  it('rejects bad input with RcnnError', async () => {
    const boxes = asBoxes(tf.zeros([2, 4]));
    const wrong = tf.zeros([2, 2]);
    expect(() => clipBoxes(boxes, [-1, 5])).toThrow(RcnnError);
    expect(() => clipBoxes(wrong as never, [5, 5])).toThrow(RcnnError);
    expect(() => toXywh(wrong as never)).toThrow(RcnnError);
    await expect(removeSmallBoxes(boxes, Number.NaN)).rejects.toThrow(RcnnError);
    await expect(removeSmallBoxes(wrong as never, 1)).rejects.toThrow(/shape \[N, 4\]/);
    tf.dispose([boxes, wrong]);
  });

  it('does not leak', async () => {
    const boxes = fixtureBoxes('small/boxes');
    await expectNoLeaks(async () => {
      const xywh = toXywh(boxes);
      tf.dispose([clipBoxes(boxes, [8, 8]), await removeSmallBoxes(boxes, 2), xywh, fromXywh(xywh)]);
    });
    boxes.dispose();
  });
});
