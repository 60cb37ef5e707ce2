import {
  asBoxes,
  type BoxCoder,
  type Boxes,
  clipBoxes,
  ensure,
  type ImageSize,
  type Proposals,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RpnHeadOutputs } from './flatten-head-outputs';
import { DROPPED, selectProposals } from './select-proposals';

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
 * torchvision's). One read-back for the whole batch: the filters run on the device and mark the
 * candidates they drop, then each image's NMS and top-n run on the CPU values ({@link selectProposals}).
 * @returns one {@link Proposals} per image, boxes in resized-image pixels by decreasing score,
 *   scores are objectness probabilities; caller owns.
 */
export async function filterProposals(
  input: FilterProposalsInput,
  options: ProposalFilterOptions,
): Promise<Proposals[]> {
  const { anchors, head, imageSizes } = input;
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

  ensure(
    typeof options.minSize === 'number' && !Number.isNaN(options.minSize),
    'INVALID_ARGUMENT',
    () => `minSize must be a number, got ${String(options.minSize)}`,
  );

  const levels: number[] = [];
  let values: Float32Array = new Float32Array(0);
  if (batch > 0 && options.preNmsTopN > 0 && head.numAnchorsPerLevel.some((count) => count > 0)) {
    const packed = tf.tidy(() => packCandidates(input, options, levels));
    try {
      values = (await packed.data()) as Float32Array; // the one read-back, every image at once
    } finally {
      packed.dispose();
    }
  }
  const out: Proposals[] = [];
  try {
    for (let image = 0; image < batch; image++) {
      out.push(
        selectProposals({
          values,
          image,
          levels,
          nmsThresh: options.nmsThresh,
          postNmsTopN: options.postNmsTopN,
        }),
      );
    }
    return out;
  } catch (error) {
    for (const { boxes, scores } of out) tf.dispose([boxes, scores]);
    throw error;
  }
}

/**
 * Per level the `preNmsTopN` highest logits; their anchors' deltas decoded, clipped to each image,
 * and their sigmoid scores, or {@link DROPPED} where the box is smaller than `minSize` or (only when
 * `scoreThresh > 0`, as sigmoid probabilities are never negative) the score is below `scoreThresh`.
 * Call inside `tf.tidy`. Pushes each candidate's level onto `levels`.
 * @returns `[B, K, PACKED_PROPOSAL]` float32
 */
function packCandidates(
  input: FilterProposalsInput,
  options: ProposalFilterOptions,
  levels: number[],
): tf.Tensor3D {
  const { anchors, head, imageSizes, boxCoder } = input;
  const [batch, numAnchors] = head.objectness.shape;
  const logits: tf.Tensor2D[] = [];
  const rows: tf.Tensor2D[] = [];
  let offset = 0;
  head.numAnchorsPerLevel.forEach((count, level) => {
    const k = Math.min(options.preNmsTopN, count);
    if (k > 0) {
      const top = tf.topk(tf.slice(head.objectness, [0, offset], [batch, count]), k);
      logits.push(top.values as tf.Tensor2D);
      rows.push(tf.add(top.indices, tf.scalar(offset, 'int32')) as tf.Tensor2D);
      for (let i = 0; i < k; i++) levels.push(level);
    }
    offset += count;
  });
  const candidates = levels.length;
  const anchorRows = tf.concat(rows, 1); // [B, K] anchor index
  // flat row of each candidate in the [B * N] flattening: image * N + anchor
  const imageStarts = tf.expandDims(tf.range(0, batch * numAnchors, numAnchors, 'int32'), 1);
  const flatRows = tf.add(anchorRows, imageStarts);
  const deltas = tf.gather(tf.reshape(head.boxDeltas, [-1, 4]), tf.reshape(flatRows, [-1]));
  const references = asBoxes(tf.gather(anchors, tf.reshape(anchorRows, [-1])));
  const decoded = tf.reshape(boxCoder.decode(deltas as tf.Tensor2D, references), [batch, candidates, 4]);
  const boxes = tf.stack(
    tf
      .unstack(decoded)
      .map((imageBoxes, image) => clipBoxes(asBoxes(imageBoxes as tf.Tensor2D), imageSizes[image]!)),
  ); // [B, K, 4]
  const scores = tf.sigmoid(tf.concat(logits, 1)); // [B, K]
  // torchvision's remove_small_boxes, then its `scores >= score_thresh`, as a mask
  const [x1, y1, x2, y2] = tf.unstack(boxes, 2);
  const limit = tf.scalar(options.minSize, 'float32');
  let kept = tf.logicalAnd(
    tf.greaterEqual(tf.sub(x2!, x1!), limit),
    tf.greaterEqual(tf.sub(y2!, y1!), limit),
  );
  if (options.scoreThresh > 0) {
    kept = tf.logicalAnd(kept, tf.greaterEqual(scores, tf.scalar(options.scoreThresh, 'float32')));
  }
  const marked = tf.where(kept, scores, tf.fill(scores.shape, DROPPED, 'float32'));
  return tf.concat([boxes, tf.expandDims(marked, 2)], 2) as tf.Tensor3D;
}
