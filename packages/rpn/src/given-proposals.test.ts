import { asBoxes, type Boxes, type ImageBatch, type ProposalGenerator, RcnnError } from '@rcnn/core';
import { describeEachBackend, disposeAll, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { GivenProposals } from './given-proposals';

function batchOf(count: number): ImageBatch {
  return {
    tensor: tf.zeros([count, 32, 32, 3]) as tf.Tensor4D,
    imageSizes: Array.from({ length: count }, () => [32, 32] as [number, number]),
    originalSizes: Array.from({ length: count }, () => [32, 32] as [number, number]),
  };
}

describeEachBackend('GivenProposals', () => {
  it('passes the given boxes through as copies, scores 1, no losses', async () => {
    const given: Boxes[] = [
      asBoxes(
        tf.tensor2d([
          [1, 2, 10, 12],
          [0, 0, 5, 5],
        ]),
      ),
      asBoxes(tf.zeros([0, 4])),
    ];
    const generator: ProposalGenerator = new GivenProposals(given);
    const batch = batchOf(2);
    const proposals = await generator.predict(batch, []);
    expect(await proposals[0]!.boxes.array()).toEqual([
      [1, 2, 10, 12],
      [0, 0, 5, 5],
    ]);
    expect(Array.from(await proposals[0]!.scores.data())).toEqual([1, 1]);
    expect(proposals[1]!.boxes.shape).toEqual([0, 4]);
    expect(proposals[0]!.boxes).not.toBe(given[0]);
    disposeAll(proposals);
    expect(given[0]!.isDisposed).toBe(false); // the source keeps its tensors
    const { proposals: again, losses } = await generator.loss!(batch, [], []);
    expect(losses).toEqual({});
    disposeAll([again, given, batch.tensor]);
    generator.dispose();
  });

  it('asks a function source for each batch', async () => {
    const seen: number[] = [];
    const generator = new GivenProposals(async (batch) => {
      seen.push(batch.tensor.shape[0]);
      return batch.imageSizes.map(([h, w]) => asBoxes(tf.tensor2d([[0, 0, w, h]])));
    });
    const batch = batchOf(3);
    const proposals = await generator.predict(batch, []);
    expect(seen).toEqual([3]);
    expect(proposals).toHaveLength(3);
    disposeAll([proposals, batch.tensor]);
  });

  it('rejects a wrong number of box sets and bad shapes', async () => {
    const one = [asBoxes(tf.zeros([2, 4]))];
    const batch = batchOf(2);
    await expect(new GivenProposals(one).predict(batch, [])).rejects.toThrow(RcnnError);
    const bad = [tf.zeros([2, 3]) as Boxes, tf.zeros([1, 4]) as Boxes];
    await expect(new GivenProposals(bad).predict(batch, [])).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_SHAPE' }),
    );
    disposeAll([one, bad, batch.tensor]);
  });

  it('does not leak', async () => {
    const given = [asBoxes(tf.tensor2d([[1, 2, 10, 12]]))];
    const generator = new GivenProposals(given);
    const batch = batchOf(1);
    await expectNoLeaks(async () => {
      disposeAll(await generator.predict(batch, []));
      disposeAll(await generator.loss(batch, [], []));
    });
    disposeAll([given, batch.tensor]);
  });
});
