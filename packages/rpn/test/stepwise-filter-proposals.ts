import { asBoxes, type Boxes, batchedNms, clipBoxes, type Proposals, removeSmallBoxes } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { FilterProposalsInput, ProposalFilterOptions } from '../src/filter-proposals';

/**
 * The slow reference of `filterProposals`: torchvision's `filter_proposals` step by step on tensors
 * with core's ops (clip, `removeSmallBoxes`, `scores >= scoreThresh`, `batchedNms` per level,
 * top-n), each image on its own with a read-back per step (what `filterProposals` did before it
 * read every image's candidates once). Caller owns the result.
 */
export async function stepwiseFilterProposals(
  { anchors, head, imageSizes, boxCoder }: FilterProposalsInput,
  options: ProposalFilterOptions,
): Promise<Proposals[]> {
  const [batch, numAnchors] = head.objectness.shape;
  const out: Proposals[] = [];
  for (let image = 0; image < batch; image++) {
    const levels: number[] = [];
    const candidates = tf.tidy(() => {
      const logits = tf.reshape(tf.slice(head.objectness, [image, 0], [1, numAnchors]), [-1]);
      const rows: tf.Tensor1D[] = [];
      const values: tf.Tensor1D[] = [];
      let offset = 0;
      head.numAnchorsPerLevel.forEach((count, level) => {
        const k = Math.min(options.preNmsTopN, count);
        if (k > 0) {
          const top = tf.topk(tf.slice(logits, offset, count), k);
          values.push(top.values as tf.Tensor1D);
          rows.push(tf.add(top.indices, tf.scalar(offset, 'int32')));
          for (let i = 0; i < k; i++) levels.push(level);
        }
        offset += count;
      });
      if (rows.length === 0)
        return { boxes: asBoxes(tf.zeros([0, 4])), scores: tf.zeros([0]) as tf.Tensor1D };
      const anchorRows = tf.concat(rows);
      const deltas = tf.gather(
        tf.reshape(tf.slice(head.boxDeltas, [image, 0, 0], [1, -1, 4]), [-1, 4]),
        anchorRows,
      );
      const decoded = boxCoder.decode(deltas as tf.Tensor2D, asBoxes(tf.gather(anchors, anchorRows)));
      return {
        boxes: clipBoxes(asBoxes(decoded), imageSizes[image]!),
        scores: tf.sigmoid(tf.concat(values)) as tf.Tensor1D,
      };
    });
    out.push(await filterOneImage(candidates, tf.tensor1d(levels, 'int32'), options));
  }
  return out;
}

type Candidates = { boxes: Boxes; scores: tf.Tensor1D };

async function filterOneImage(
  start: Candidates,
  levels: tf.Tensor1D,
  options: ProposalFilterOptions,
): Promise<Proposals> {
  let current = { ...start, levels };
  const select = (keep: tf.Tensor1D) => {
    const rows = (t: tf.Tensor) =>
      keep.shape[0] === 0 ? tf.zeros([0, ...t.shape.slice(1)], t.dtype) : tf.gather(t, keep);
    const next = tf.tidy(() => ({
      boxes: asBoxes(rows(current.boxes) as tf.Tensor2D),
      scores: rows(current.scores) as tf.Tensor1D,
      levels: rows(current.levels) as tf.Tensor1D,
    }));
    tf.dispose([keep, current.boxes, current.scores, current.levels]);
    current = next;
  };
  select(await removeSmallBoxes(current.boxes, options.minSize));
  if (options.scoreThresh > 0) {
    const passing = tf.greaterEqual(current.scores, options.scoreThresh);
    const positions = await tf.whereAsync(passing);
    select(tf.reshape(positions, [-1]));
    tf.dispose([passing, positions]);
  }
  const kept = await batchedNms(current.boxes, current.scores, current.levels, options.nmsThresh);
  select(tf.slice(kept, 0, Math.min(options.postNmsTopN, kept.shape[0])));
  kept.dispose();
  current.levels.dispose();
  return { boxes: current.boxes, scores: current.scores };
}
