import {
  asBoxes,
  BoxCoder,
  type Boxes,
  batchedNms,
  clipBoxes,
  disposeInstances,
  ensure,
  type ImageSize,
  type Instances,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Inputs and settings of {@link postprocessDetections}; settings default to torchvision's. */
export interface PostprocessDetectionsInput {
  /** `[R, K]` float32 class logits, K including background (column 0); R = all images' proposals. Not disposed. */
  readonly classLogits: tf.Tensor2D;
  /** `[R, 4K]` float32 per-class box deltas (dx, dy, dw, dh per class). Not disposed. */
  readonly boxRegression: tf.Tensor2D;
  /** One `[R_i, 4]` xyxy tensor per image, in the order of the rows above. Not disposed. */
  readonly proposals: readonly Boxes[];
  /** `[height, width]` of each image (the resized image the proposals live in): boxes are clipped to it. */
  readonly imageSizes: readonly ImageSize[];
  /** Decodes the deltas; default `new BoxCoder({ weights: [10, 10, 5, 5] })` (torchvision's box head). */
  readonly boxCoder?: BoxCoder;
  /** Keep class scores strictly above this (0.05). */
  readonly scoreThresh?: number;
  /** Per-class NMS IoU threshold (0.5). */
  readonly nmsThresh?: number;
  /** Highest-scoring detections kept per image after NMS (100). */
  readonly detectionsPerImage?: number;
  /** Drop boxes with a side below this many pixels (1e-2, hard-coded in torchvision). */
  readonly minSize?: number;
}

/** The box head's default coder (torchvision RoIHeads: bbox_reg_weights (10, 10, 5, 5)). */
const defaultBoxCoder = () => new BoxCoder({ weights: [10, 10, 5, 5] });

/**
 * Turns box-head outputs into detections, as torchvision
 * models/detection/roi_heads.py::RoIHeads.postprocess_detections: softmax over classes,
 * per-class decoding onto the proposals, clipping to each image, dropping the background
 * column, flattening to `R_i * (K - 1)` candidates (proposal-major, class-minor), keeping
 * scores `> scoreThresh` and boxes with both sides `>= minSize`, per-class NMS
 * (@rcnn/core batchedNms, torchvision-exact) and the first `detectionsPerImage` by score.
 *
 * The score and size filters are one mask computed on the device and read back once for
 * every image together (the same set torchvision's where + remove_small_boxes keep, in
 * the same order); NMS then reads back each image's survivors.
 *
 * @returns one {@link Instances} per image (boxes `[N, 4]` xyxy in that image's pixels,
 *   scores `[N]` float32 decreasing, labels `[N]` int32 in 1..K-1); caller owns
 */
export async function postprocessDetections(input: PostprocessDetectionsInput): Promise<Instances[]> {
  const {
    classLogits,
    proposals,
    imageSizes,
    boxCoder = defaultBoxCoder(),
    scoreThresh = 0.05,
    nmsThresh = 0.5,
    detectionsPerImage = 100,
    minSize = 1e-2,
  } = input;
  const counts = proposals.map((boxes) => boxes.shape[0]);
  const total = counts.reduce((sum, count) => sum + count, 0);
  validate(input, total);
  ensure(
    Number.isInteger(detectionsPerImage) && detectionsPerImage >= 0,
    'INVALID_ARGUMENT',
    () => `detectionsPerImage must be a non-negative integer, got ${detectionsPerImage}`,
  );
  const classes = classLogits.shape[1];
  // Empty tensors trip some kernels (wasm gather, cpu softmax): answer "nothing" directly.
  if (total === 0) return imageSizes.map(emptyInstances);
  const candidates = tf.tidy(() => flattenCandidates(input, boxCoder, counts, classes));
  try {
    const keepMask = tf.tidy(() => {
      const [x1, y1, x2, y2] = tf.unstack(candidates.boxes, 1);
      const limit = tf.scalar(minSize, 'float32');
      return tf.logicalAnd(
        tf.greater(candidates.scores, tf.scalar(scoreThresh, 'float32')),
        tf.logicalAnd(tf.greaterEqual(tf.sub(x2!, x1!), limit), tf.greaterEqual(tf.sub(y2!, y1!), limit)),
      );
    });
    let kept: Uint8Array;
    try {
      kept = (await keepMask.data()) as Uint8Array;
    } finally {
      keepMask.dispose();
    }
    let start = 0;
    const perImage = counts.map((count, image) => {
      const size = count * (classes - 1);
      const indices: number[] = [];
      const labels: number[] = [];
      for (let i = 0; i < size; i++) {
        if (!kept[start + i]) continue;
        indices.push(start + i);
        labels.push((i % (classes - 1)) + 1);
      }
      start += size;
      return selectImage(candidates, indices, labels, imageSizes[image]!, nmsThresh, detectionsPerImage);
    });
    const settled = await Promise.allSettled(perImage);
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed) {
      for (const outcome of settled) if (outcome.status === 'fulfilled') disposeInstances(outcome.value);
      throw failed.reason;
    }
    return settled.map((outcome) => (outcome as PromiseFulfilledResult<Instances>).value);
  } finally {
    tf.dispose([candidates.boxes, candidates.scores]);
  }
}

type Candidates = {
  /** `[C, 4]` every image's clipped per-class boxes, background dropped. */
  boxes: tf.Tensor2D;
  /** `[C]` their softmax scores. */
  scores: tf.Tensor1D;
};

/** Decode, clip per image, drop background, flatten proposal-major. Call inside tidy. */
function flattenCandidates(
  input: PostprocessDetectionsInput,
  boxCoder: BoxCoder,
  counts: readonly number[],
  classes: number,
): Candidates {
  const probabilities = tf.softmax(tf.cast(input.classLogits, 'float32'));
  const references =
    input.proposals.length === 1 ? input.proposals[0]! : asBoxes(tf.concat([...input.proposals]));
  const decoded = boxCoder.decode(input.boxRegression, references);
  const boxes: tf.Tensor[] = [];
  const scores: tf.Tensor[] = [];
  let start = 0;
  counts.forEach((count, image) => {
    const rows = tf.reshape(tf.slice(decoded, [start, 0], [count, 4 * classes]), [count * classes, 4]);
    const clipped = tf.reshape(clipBoxes(asBoxes(rows), input.imageSizes[image]!), [count, classes, 4]);
    boxes.push(tf.reshape(tf.slice(clipped, [0, 1, 0], [count, classes - 1, 4]), [-1, 4]));
    scores.push(tf.reshape(tf.slice(probabilities, [start, 1], [count, classes - 1]), [-1]));
    start += count;
  });
  return { boxes: tf.concat(boxes) as tf.Tensor2D, scores: tf.concat(scores) as tf.Tensor1D };
}

/** Gathers one image's surviving candidates, runs class-wise NMS and keeps the top detections. */
async function selectImage(
  candidates: Candidates,
  indices: number[],
  labelValues: number[],
  imageSize: ImageSize,
  nmsThresh: number,
  detectionsPerImage: number,
): Promise<Instances> {
  if (indices.length === 0) return emptyInstances(imageSize);
  const [boxes, scores, labels] = tf.tidy(() => {
    const picked = tf.tensor1d(indices, 'int32');
    return [
      asBoxes(tf.gather(candidates.boxes, picked)),
      tf.gather(candidates.scores, picked) as tf.Tensor1D,
      tf.tensor1d(labelValues, 'int32'),
    ] as const;
  });
  let keep: tf.Tensor1D | undefined;
  try {
    keep = await batchedNms(boxes, scores, labels, nmsThresh);
    const top = keep.shape[0] > detectionsPerImage ? tf.slice(keep, 0, detectionsPerImage) : keep;
    const [keptBoxes, keptScores, keptLabels] = tf.tidy(() => [
      asBoxes(tf.gather(boxes, top)),
      tf.gather(scores, top) as tf.Tensor1D,
      tf.gather(labels, top) as tf.Tensor1D,
    ]);
    const result: Instances = {
      imageSize: [imageSize[0], imageSize[1]],
      boxes: asBoxes(keptBoxes!),
      scores: keptScores as tf.Tensor1D,
      labels: keptLabels as tf.Tensor1D,
    };
    if (top !== keep) top.dispose();
    return result;
  } finally {
    tf.dispose([boxes, scores, labels]);
    keep?.dispose();
  }
}

function emptyInstances(imageSize: ImageSize): Instances {
  return {
    imageSize: [imageSize[0], imageSize[1]],
    boxes: asBoxes(tf.zeros([0, 4])),
    scores: tf.zeros([0]),
    labels: tf.zeros([0], 'int32'),
  };
}

function validate(input: PostprocessDetectionsInput, total: number): void {
  const { classLogits, boxRegression, proposals, imageSizes } = input;
  ensure(
    classLogits.rank === 2 && classLogits.shape[1] >= 2,
    'INVALID_SHAPE',
    () =>
      `classLogits must have shape [R, K] with K >= 2 (background + classes), got [${classLogits.shape.join(', ')}]`,
  );
  const classes = classLogits.shape[1];
  ensure(
    classLogits.shape[0] === total,
    'INVALID_SHAPE',
    () => `classLogits has ${classLogits.shape[0]} rows but the proposals hold ${total} boxes`,
  );
  ensure(
    boxRegression.rank === 2 && boxRegression.shape[0] === total && boxRegression.shape[1] === 4 * classes,
    'INVALID_SHAPE',
    () => `boxRegression must have shape [${total}, ${4 * classes}], got [${boxRegression.shape.join(', ')}]`,
  );
  ensure(
    proposals.length > 0 && proposals.length === imageSizes.length,
    'INVALID_ARGUMENT',
    () =>
      `need one image size per image: ${proposals.length} proposal sets, ${imageSizes.length} image sizes`,
  );
  for (const boxes of proposals) asBoxes(boxes);
}
