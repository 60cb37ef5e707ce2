import {
  type BoxCoder,
  type Boxes,
  ensure,
  Matcher,
  type PositiveNegativeSampler,
  pairwiseIou,
  type SampledIndices,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * What the RPN losses need, as data (no gradient flows into it). Dense over every anchor of every
 * image (`B * N` rows, image-major) so the loss has stable shapes. Call `dispose()` when done.
 */
export interface RpnTrainingTargets {
  /** `[B * N]` float32: 1 at sampled positives, else 0; both the BCE targets and the box-loss mask. */
  readonly positiveMask: tf.Tensor1D;
  /** `[B * N]` float32: 1 at every sampled anchor (positive or negative), else 0. */
  readonly sampledMask: tf.Tensor1D;
  /** `[B * N, 4]` float32: encoded matched ground truth at sampled positives, 0 elsewhere. */
  readonly regressionTargets: tf.Tensor2D;
  /** Number of sampled anchors over the batch (the losses' normalizer). */
  readonly numSampled: number;
  /** Per image `[N]`: torchvision's anchor labels, 1 foreground, 0 background, -1 ignored. */
  readonly labels: readonly Float32Array[];
  /** Per image `[N]`: matched ground-truth index or a negative Matcher code. */
  readonly matches: readonly Int32Array[];
  /** Per image: the anchors the sampler chose. */
  readonly sampled: readonly SampledIndices[];
  dispose(): void;
}

/** Inputs of {@link assignRpnTargets}. */
export interface AssignRpnTargetsInput {
  /** `[N, 4]` xyxy anchors shared by every image; not disposed. */
  readonly anchors: Boxes;
  /** Per image `[M_i, 4]` xyxy ground-truth boxes (M_i may be 0); not disposed. */
  readonly groundTruthBoxes: readonly Boxes[];
  readonly matcher: Matcher;
  readonly sampler: PositiveNegativeSampler;
  /** The RPN's coder (weights 1, 1, 1, 1). */
  readonly boxCoder: BoxCoder;
}

/**
 * Labels anchors, samples them and encodes regression targets (torchvision
 * `models/detection/rpn.py::RegionProposalNetwork.assign_targets_to_anchors` + `compute_loss`'s
 * sampling): IoU of ground truth with anchors, matcher, labels (matched 1, below low 0, between -1;
 * an image without ground truth is all background), sampler, then `encode(matched gt, anchor)` at
 * the sampled positives only (the only rows the loss reads).
 *
 * One read-back of the matches for the whole batch (sampling runs on the host).
 * @returns targets; caller owns (dispose()).
 */
export async function assignRpnTargets(input: AssignRpnTargetsInput): Promise<RpnTrainingTargets> {
  const { anchors, groundTruthBoxes, matcher, sampler, boxCoder } = input;
  const numAnchors = anchors.shape[0];
  for (const [image, boxes] of groundTruthBoxes.entries()) {
    ensure(
      boxes.rank === 2 && boxes.shape[1] === 4,
      'INVALID_SHAPE',
      () => `ground-truth boxes of image ${image} must be [M, 4], got [${boxes.shape.join(', ')}]`,
    );
  }
  const allMatches = tf.tidy(() => {
    const perImage = groundTruthBoxes.map((boxes) =>
      boxes.shape[0] === 0 || numAnchors === 0
        ? tf.fill([numAnchors], Matcher.BELOW_LOW_THRESHOLD, 'int32')
        : matcher.match(pairwiseIou(boxes, anchors)),
    );
    return perImage.length > 0 ? tf.concat(perImage) : tf.zeros([0], 'int32');
  });
  let matchData: Int32Array;
  try {
    matchData = (await allMatches.data()) as Int32Array;
  } finally {
    allMatches.dispose();
  }
  const matches = groundTruthBoxes.map((_, image) =>
    matchData.subarray(image * numAnchors, (image + 1) * numAnchors),
  );
  const labels = matches.map((perImage) =>
    Float32Array.from(perImage, (m) => (m >= 0 ? 1 : m === Matcher.BETWEEN_THRESHOLDS ? -1 : 0)),
  );
  const sampled = sampler.sample(labels);
  ensure(
    sampled.length === labels.length,
    'INVALID_ARGUMENT',
    () => `sampler returned ${sampled.length} results for ${labels.length} images`,
  );

  const total = groundTruthBoxes.length * numAnchors;
  const positiveMask = new Float32Array(total);
  const sampledMask = new Float32Array(total);
  const positiveRows: number[] = [];
  const positiveAnchors: number[] = [];
  const positiveTruths: number[] = []; // row in the concatenated ground truth
  let truthOffset = 0;
  let numSampled = 0;
  sampled.forEach(({ positive, negative }, image) => {
    const offset = image * numAnchors;
    for (const anchor of positive) {
      ensure(
        labels[image]![anchor] === 1,
        'INVALID_ARGUMENT',
        () => `sampler chose anchor ${anchor} of image ${image} as positive but it is not foreground`,
      );
      positiveMask[offset + anchor] = 1;
      sampledMask[offset + anchor] = 1;
      positiveRows.push(offset + anchor);
      positiveAnchors.push(anchor);
      positiveTruths.push(truthOffset + matches[image]![anchor]!);
    }
    for (const anchor of negative) {
      ensure(
        labels[image]![anchor] === 0,
        'INVALID_ARGUMENT',
        () => `sampler chose anchor ${anchor} of image ${image} as negative but it is not background`,
      );
      sampledMask[offset + anchor] = 1;
    }
    numSampled += positive.length + negative.length;
    truthOffset += groundTruthBoxes[image]!.shape[0];
  });

  const regressionTargets = tf.tidy(() => {
    if (positiveRows.length === 0) return tf.zeros([total, 4]) as tf.Tensor2D;
    const truths = tf.concat(groundTruthBoxes.filter((b) => b.shape[0] > 0));
    const matchedTruths = tf.gather(truths, tf.tensor1d(positiveTruths, 'int32')) as Boxes;
    const matchedAnchors = tf.gather(anchors, tf.tensor1d(positiveAnchors, 'int32')) as Boxes;
    const encoded = boxCoder.encode(matchedTruths, matchedAnchors);
    return tf.scatterND(tf.tensor2d(positiveRows, [positiveRows.length, 1], 'int32'), encoded, [total, 4]);
  });
  const tensors = {
    positiveMask: tf.tensor1d(positiveMask),
    sampledMask: tf.tensor1d(sampledMask),
    regressionTargets: regressionTargets as tf.Tensor2D,
  };
  return {
    ...tensors,
    numSampled,
    labels,
    matches,
    sampled,
    dispose: () => tf.dispose(Object.values(tensors)),
  };
}
