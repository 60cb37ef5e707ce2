import { asBoxes, batchedNmsOnArrays, type Proposals } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Values per candidate in the proposal read-back: x1, y1, x2, y2 (clipped), then the score or {@link DROPPED}. */
export const PACKED_PROPOSAL = 5;

/**
 * The score column's value for a candidate that failed the size or score filter. Objectness
 * scores are sigmoid probabilities, never negative, so no kept candidate carries it.
 */
export const DROPPED = -1;

/** One image's candidates as read back, and how to select its proposals. */
export interface ProposalSelection {
  /** The whole read-back: `[B, K, PACKED_PROPOSAL]` float32, image-major. */
  readonly values: Float32Array;
  /** Which image of the batch. */
  readonly image: number;
  /** Pyramid level of each of the K candidates (same for every image). */
  readonly levels: readonly number[];
  /** NMS IoU threshold, applied within each level. */
  readonly nmsThresh: number;
  /** Proposals kept after NMS. */
  readonly postNmsTopN: number;
}

/**
 * One image's proposals from values already on the CPU (no read-back): the candidates that passed
 * the filters, in their order, NMS within each level (core's torchvision-exact
 * {@link batchedNmsOnArrays}, torchvision's level offsets or per-level loop), the first
 * `postNmsTopN`, uploaded as new tensors. Equal to filtering with tensors, then core's
 * `batchedNms`: the same rows, in the same order, go into the same NMS.
 * @returns boxes `[P, 4]` float32 xyxy and scores `[P]` float32, by decreasing score; caller owns
 */
export function selectProposals(selection: ProposalSelection): Proposals {
  const { values, image, levels, nmsThresh, postNmsTopN } = selection;
  const candidates = levels.length;
  const start = image * candidates;
  const rows: number[] = [];
  for (let i = 0; i < candidates; i++) {
    if (values[(start + i) * PACKED_PROPOSAL + 4] !== DROPPED) rows.push(start + i);
  }
  const boxes = new Float32Array(rows.length * 4);
  const scores = new Float32Array(rows.length);
  const classes = new Float32Array(rows.length);
  rows.forEach((row, i) => {
    boxes.set(values.subarray(row * PACKED_PROPOSAL, row * PACKED_PROPOSAL + 4), i * 4);
    scores[i] = values[row * PACKED_PROPOSAL + 4]!;
    classes[i] = levels[row - start]!;
  });
  const keep = batchedNmsOnArrays(boxes, scores, classes, nmsThresh);
  const top = keep.subarray(0, Math.min(postNmsTopN, keep.length));
  const keptBoxes = new Float32Array(top.length * 4);
  top.forEach((k, i) => {
    keptBoxes.set(boxes.subarray(k * 4, k * 4 + 4), i * 4);
  });
  return {
    boxes: asBoxes(tf.tensor2d(keptBoxes, [top.length, 4], 'float32')),
    scores: tf.tensor1d(
      Float32Array.from(top, (k) => scores[k]!),
      'float32',
    ),
  };
}
