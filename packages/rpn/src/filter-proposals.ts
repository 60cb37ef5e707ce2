import {
  asBoxes,
  type BoxCoder,
  type Boxes,
  batchedNms,
  clipBoxes,
  ensure,
  type ImageSize,
  type Proposals,
  removeSmallBoxes,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RpnHeadOutputs } from './flatten-head-outputs';

/** Proposal selection settings for one phase (training or inference). */
export interface ProposalFilterOptions {
  /** Highest-scoring anchors kept per level before NMS (torchvision `pre_nms_top_n`). */
  readonly preNmsTopN: number;
  /** Proposals kept per image after NMS (torchvision `post_nms_top_n`). */
  readonly postNmsTopN: number;
  /** NMS IoU threshold, applied per level (0.7). */
  readonly nmsThresh: number;
  /** Keep proposals whose objectness probability is `>=` this (0.0). */
  readonly scoreThresh: number;
  /** Drop boxes with a side below this many pixels after clipping (1e-3). */
  readonly minSize: number;
}

/** Inputs of {@link filterProposals}. */
export interface FilterProposalsInput {
  /** `[N, 4]` xyxy anchors shared by every image; not disposed. */
  readonly anchors: Boxes;
  /** Flattened head outputs for the same anchors; not disposed (never differentiated through). */
  readonly head: RpnHeadOutputs;
  /** `[height, width]` of each image before padding: proposals are clipped to it. */
  readonly imageSizes: readonly ImageSize[];
  /** Decodes deltas onto anchors (weights 1, 1, 1, 1 for the RPN). */
  readonly boxCoder: BoxCoder;
}

/**
 * Turns head outputs into proposals as torchvision does
 * (`models/detection/rpn.py::RegionProposalNetwork.filter_proposals`): per level the `preNmsTopN`
 * highest objectness logits, decode those anchors' deltas, sigmoid, then per image clip to the image,
 * drop boxes smaller than `minSize`, keep scores `>= scoreThresh`, NMS within each level, and keep the
 * first `postNmsTopN`. Only the selected rows are decoded (decoding is per row, so the values are
 * torchvision's). Read-backs per image: small-box mask, score mask (only when `scoreThresh > 0`,
 * since sigmoid probabilities are never negative), NMS.
 * @returns one {@link Proposals} per image, boxes in resized-image pixels by decreasing score,
 *   scores are objectness probabilities; caller owns.
 */
export async function filterProposals(
  input: FilterProposalsInput,
  options: ProposalFilterOptions,
): Promise<Proposals[]> {
  const { anchors, head, imageSizes, boxCoder } = input;
  const [batch, numAnchors] = head.objectness.shape;
  ensure(
    anchors.shape[0] === numAnchors &&
      head.boxDeltas.shape[1] === numAnchors &&
      head.numAnchorsPerLevel.reduce((a, b) => a + b, 0) === numAnchors,
    'INVALID_SHAPE',
    () =>
      `head outputs cover ${numAnchors} anchors (levels ${head.numAnchorsPerLevel.join('+')}), deltas ${head.boxDeltas.shape[1]}, anchors ${anchors.shape[0]}`,
  );
  ensure(
    imageSizes.length === batch,
    'INVALID_ARGUMENT',
    () => `got ${imageSizes.length} image sizes for a batch of ${batch}`,
  );
  ensure(
    Number.isInteger(options.preNmsTopN) && options.preNmsTopN >= 0,
    'INVALID_ARGUMENT',
    () => `preNmsTopN must be a non-negative integer, got ${options.preNmsTopN}`,
  );
  ensure(
    Number.isInteger(options.postNmsTopN) && options.postNmsTopN >= 0,
    'INVALID_ARGUMENT',
    () => `postNmsTopN must be a non-negative integer, got ${options.postNmsTopN}`,
  );

  const levelOfCandidate: number[] = [];
  const selected = tf.tidy(() => {
    const logits: tf.Tensor2D[] = [];
    const rows: tf.Tensor2D[] = [];
    let offset = 0;
    head.numAnchorsPerLevel.forEach((count, level) => {
      const k = Math.min(options.preNmsTopN, count);
      if (k > 0) {
        const top = tf.topk(tf.slice(head.objectness, [0, offset], [batch, count]), k);
        logits.push(top.values as tf.Tensor2D);
        rows.push(tf.add(top.indices, tf.scalar(offset, 'int32')) as tf.Tensor2D);
        for (let i = 0; i < k; i++) levelOfCandidate.push(level);
      }
      offset += count;
    });
    const candidates = levelOfCandidate.length;
    if (candidates === 0) {
      return { boxes: tf.zeros([batch, 0, 4]), scores: tf.zeros([batch, 0]) };
    }
    const anchorRows = tf.concat(rows, 1); // [B, K] anchor index
    // flat row of each candidate in the [B * N] flattening: image * N + anchor
    const imageStarts = tf.expandDims(tf.range(0, batch * numAnchors, numAnchors, 'int32'), 1);
    const flatRows = tf.add(anchorRows, imageStarts);
    const deltas = tf.gather(tf.reshape(head.boxDeltas, [-1, 4]), tf.reshape(flatRows, [-1]));
    const references = asBoxes(tf.gather(anchors, tf.reshape(anchorRows, [-1])));
    const decoded = boxCoder.decode(deltas as tf.Tensor2D, references);
    return {
      boxes: tf.reshape(decoded, [batch, candidates, 4]),
      scores: tf.sigmoid(tf.concat(logits, 1)),
    };
  });
  const levels = tf.tensor1d(levelOfCandidate, 'int32');
  const perImageBoxes = tf.unstack(selected.boxes) as tf.Tensor2D[];
  const perImageScores = tf.unstack(selected.scores) as tf.Tensor1D[];
  selected.boxes.dispose();
  selected.scores.dispose();
  try {
    const out: Proposals[] = [];
    for (let image = 0; image < batch; image++) {
      out.push(
        await filterOneImage(
          asBoxes(perImageBoxes[image]!),
          perImageScores[image]!,
          levels,
          imageSizes[image]!,
          options,
        ),
      );
    }
    return out;
  } finally {
    levels.dispose();
    for (const t of [...perImageBoxes, ...perImageScores]) t.dispose();
  }
}

/** Clip, remove small, score threshold, per-level NMS, top-n for one image. Inputs not disposed. */
async function filterOneImage(
  boxes: Boxes,
  scores: tf.Tensor1D,
  levels: tf.Tensor1D,
  imageSize: ImageSize,
  options: ProposalFilterOptions,
): Promise<Proposals> {
  let current = { boxes: clipBoxes(boxes, imageSize), scores: scores.clone(), levels: levels.clone() };
  const select = (keep: tf.Tensor1D) => {
    const next = tf.tidy(() => ({
      boxes: asBoxes(gatherRows(current.boxes, keep)),
      scores: gatherRows(current.scores, keep) as tf.Tensor1D,
      levels: gatherRows(current.levels, keep) as tf.Tensor1D,
    }));
    keep.dispose();
    disposeSet(current);
    current = next;
  };
  try {
    select(await removeSmallBoxes(current.boxes, options.minSize));
    if (options.scoreThresh > 0) {
      const passing = tf.greaterEqual(current.scores, options.scoreThresh);
      let positions: tf.Tensor2D;
      try {
        positions = await tf.whereAsync(passing); // [K, 1]
      } finally {
        passing.dispose();
      }
      const keep = tf.reshape(positions, [-1]) as tf.Tensor1D;
      positions.dispose();
      select(keep);
    }
    const kept = await batchedNms(current.boxes, current.scores, current.levels, options.nmsThresh);
    const count = Math.min(options.postNmsTopN, kept.shape[0]);
    select(tf.tidy(() => tf.slice(kept, 0, count)));
    kept.dispose();
    current.levels.dispose();
    return { boxes: current.boxes, scores: current.scores };
  } catch (error) {
    disposeSet(current);
    throw error;
  }
}

/**
 * `tf.gather` along axis 0, except that no rows selected gives an empty tensor directly:
 * tfjs-backend-wasm 4.22 returns shape [1, 1, 0, 4] for gather([0, 4], []).
 */
function gatherRows(tensor: tf.Tensor, rows: tf.Tensor1D): tf.Tensor {
  if (rows.shape[0] === 0) return tf.zeros([0, ...tensor.shape.slice(1)], tensor.dtype);
  return tf.gather(tensor, rows);
}

function disposeSet(set: { boxes: tf.Tensor; scores: tf.Tensor; levels: tf.Tensor }): void {
  set.boxes.dispose();
  set.scores.dispose();
  set.levels.dispose();
}
