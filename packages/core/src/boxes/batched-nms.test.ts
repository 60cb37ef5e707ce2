import { describeEachBackend, expectNoLeaks, randomBoxes, seededRandom } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { asBoxes } from '../types/boxes';
import { fixtureArray, fixtureBoxes, fixtureMeta, fixtureTensor } from './__fixtures__/box-ops';
import { batchedNms, batchedNmsOnArrays } from './batched-nms';
import { nms } from './nms';

const cases = Object.entries(fixtureMeta<Record<string, number>>('batched')).map(([name, threshold]) => ({
  name,
  threshold,
}));

describeEachBackend('batchedNms (parity with torchvision.ops.batched_nms)', () => {
  it.each(cases)('keeps exactly what torchvision keeps: $name @ $threshold', async ({ name, threshold }) => {
    const boxes = fixtureBoxes(`batched/${name}/boxes`);
    const scores = fixtureTensor(`batched/${name}/scores`) as tf.Tensor1D;
    const classes = fixtureTensor(`batched/${name}/classes`) as tf.Tensor1D;
    const keep = await batchedNms(boxes, scores, classes, threshold);
    expect(keep.dtype).toBe('int32');
    expect(Array.from(await keep.data())).toEqual(Array.from(fixtureArray(`batched/${name}/keep`).data));
    tf.dispose([boxes, scores, classes, keep]);
  });

  it.each(cases)(
    'keeps the same on arrays (batchedNmsOnArrays): $name @ $threshold',
    ({ name, threshold }) => {
      const keep = batchedNmsOnArrays(
        Float32Array.from(fixtureArray(`batched/${name}/boxes`).data),
        Float32Array.from(fixtureArray(`batched/${name}/scores`).data),
        Float32Array.from(fixtureArray(`batched/${name}/classes`).data),
        threshold,
      );
      expect(Array.from(keep)).toEqual(Array.from(fixtureArray(`batched/${name}/keep`).data));
    },
  );

  it('rejects arrays of mismatched lengths with RcnnError', () => {
    expect(() =>
      batchedNmsOnArrays(new Float32Array(8), new Float32Array(2), new Float32Array(3), 0.5),
    ).toThrow(RcnnError);
  });

  it('keeps per class what nms keeps on that class alone', async () => {
    const random = seededRandom(21);
    const n = 90;
    const boxes = asBoxes(tf.tensor2d(randomBoxes(n, { seed: 22, width: 50, height: 50 }), [n, 4]));
    const scores = tf.tensor1d(Float32Array.from({ length: n }, random));
    const classIds = tf.tensor1d(
      Int32Array.from({ length: n }, () => Math.floor(random() * 3)),
      'int32',
    );
    const keep = new Set(
      (await batchedNms(boxes, scores, classIds, 0.5).then((t) =>
        t.array().finally(() => t.dispose()),
      )) as number[],
    );
    for (let label = 0; label < 3; label++) {
      const members = Array.from(classIds.dataSync()).flatMap((c, i) => (c === label ? [i] : []));
      const index = tf.tensor1d(members, 'int32');
      const classBoxes = asBoxes(tf.gather(boxes, index));
      const classScores = tf.gather(scores, index);
      const classKeep = await nms(classBoxes, classScores, 0.5);
      const expected = Array.from(classKeep.dataSync()).map((position) => members[position]!);
      expect(expected.every((i) => keep.has(i))).toBe(true);
      expect([...keep].filter((i) => classIds.dataSync()[i] === label).length).toBe(expected.length);
      tf.dispose([index, classBoxes, classScores, classKeep]);
    }
    tf.dispose([boxes, scores, classIds]);
  });

  it('rejects mismatched classIds with RcnnError', async () => {
    const boxes = asBoxes(tf.zeros([3, 4]));
    const scores = tf.zeros([3]) as tf.Tensor1D;
    const classIds = tf.zeros([2], 'int32') as tf.Tensor1D;
    await expect(batchedNms(boxes, scores, classIds, 0.5)).rejects.toThrow(RcnnError);
    await expect(batchedNms(boxes, scores, classIds, 0.5)).rejects.toThrow(/classIds must have shape \[3\]/);
    tf.dispose([boxes, scores, classIds]);
  });

  it('does not leak (both torchvision code paths)', async () => {
    const random = seededRandom(4);
    const tensors = [20, 1100].map((n) => ({
      boxes: asBoxes(tf.tensor2d(randomBoxes(n, { seed: n }), [n, 4])),
      scores: tf.tensor1d(Float32Array.from({ length: n }, random)),
      classIds: tf.tensor1d(
        Int32Array.from({ length: n }, () => Math.floor(random() * 4)),
        'int32',
      ),
    }));
    await expectNoLeaks(async () => {
      for (const { boxes, scores, classIds } of tensors)
        (await batchedNms(boxes, scores, classIds, 0.5)).dispose();
    });
    tf.dispose(tensors.flatMap((t) => [t.boxes, t.scores, t.classIds]));
  });
});
