import {
  asBoxes,
  BoxCoder,
  type Boxes,
  batchedNmsOnArrays,
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
 * One read-back for every image together: the candidates' boxes and scores with the score
 * and size filters computed on the device (the same set torchvision's where +
 * remove_small_boxes keep, in the same order); NMS runs on those values on the CPU.
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
  let values: Float32Array;
  try {
    // One read-back for every image: each candidate's box, score and whether it passes the
    // score and size filters (computed on the device), `[C, 6]`.
    const packed = tf.tidy(() => {
      const [x1, y1, x2, y2] = tf.unstack(candidates.boxes, 1);
      const limit = tf.scalar(minSize, 'float32');
      const keep = tf.logicalAnd(
        tf.greater(candidates.scores, tf.scalar(scoreThresh, 'float32')),
        tf.logicalAnd(tf.greaterEqual(tf.sub(x2!, x1!), limit), tf.greaterEqual(tf.sub(y2!, y1!), limit)),
      );
      const column = (tensor: tf.Tensor) => tf.expandDims(tf.cast(tensor, 'float32'), 1);
      return tf.concat([candidates.boxes, column(candidates.scores), column(keep)], 1);
    });
    try {
      values = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
  } finally {
    tf.dispose([candidates.boxes, candidates.scores]);
  }
  const results: Instances[] = [];
  try {
    let start = 0;
    counts.forEach((count, image) => {
      const size = count * (classes - 1);
      const rows: number[] = [];
      const labels: number[] = [];
      for (let i = 0; i < size; i++) {
        if (values[(start + i) * PACKED + 5] === 0) continue;
        rows.push(start + i);
        labels.push((i % (classes - 1)) + 1);
      }
      start += size;
      results.push(selectImage(values, rows, labels, imageSizes[image]!, nmsThresh, detectionsPerImage));
    });
    return results;
  } catch (error) {
    for (const instances of results) disposeInstances(instances);
    throw error;
  }
}

/** Values per candidate in the read-back: x1, y1, x2, y2, score, passes the filters. */
const PACKED = 6;

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

/**
 * One image's detections from the read-back candidates: class-wise NMS on the surviving
 * `rows` (core's torchvision-exact NMS, on the CPU values) and the top `detectionsPerImage`,
 * uploaded as new tensors (their values stay on the CPU too, so reading them back is free).
 */
function selectImage(
  values: Float32Array,
  rows: readonly number[],
  labelValues: readonly number[],
  imageSize: ImageSize,
  nmsThresh: number,
  detectionsPerImage: number,
): Instances {
  const boxes = new Float32Array(rows.length * 4);
  const scores = new Float32Array(rows.length);
  rows.forEach((row, i) => {
    boxes.set(values.subarray(row * PACKED, row * PACKED + 4), i * 4);
    scores[i] = values[row * PACKED + 4]!;
  });
  const keep = batchedNmsOnArrays(boxes, scores, Float32Array.from(labelValues), nmsThresh);
  const top = keep.subarray(0, Math.min(keep.length, detectionsPerImage));
  if (top.length === 0) return emptyInstances(imageSize);
  const keptBoxes = new Float32Array(top.length * 4);
  top.forEach((k, i) => {
    keptBoxes.set(boxes.subarray(k * 4, k * 4 + 4), i * 4);
  });
  return {
    imageSize: [imageSize[0], imageSize[1]],
    boxes: asBoxes(tf.tensor2d(keptBoxes, [top.length, 4])),
    scores: tf.tensor1d(Float32Array.from(top, (k) => scores[k]!)),
    labels: tf.tensor1d(
      Int32Array.from(top, (k) => labelValues[k]!),
      'int32',
    ),
  };
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
