import { asBoxes, type BoxCoder, type Boxes, ensure, type GroundTruth } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RoiMatch } from './roi-sampler';

/** One image's training RoIs for the heads; caller owns the tensors ({@link disposeRoiSamples}). */
export interface RoiSamples {
  /** `[S, 4]` sampled proposals, xyxy, in ascending proposal order (torchvision's `where(pos | neg)`). */
  readonly boxes: Boxes;
  /** `[S]` int32 class of each sample, 0 for negatives. */
  readonly labels: tf.Tensor1D;
  /** `[S]` int32 matched GT index (0 for negatives, torchvision's `clamp(min=0)`). */
  readonly matchedGtIndices: tf.Tensor1D;
  /** `[S, 4]` float32 BoxCoder targets toward the matched GT; zeros for negatives. */
  readonly regressionTargets: tf.Tensor2D;
  /** Positions of the positives within the sample, ascending (host array: mask/keypoint branches use them). */
  readonly positivePositions: Int32Array;
}

/** Inputs of {@link buildRoiSamples} for one image. */
export interface BuildRoiSamplesInputs {
  /** `[P, 4]` proposals with the GT boxes appended ({@link appendGtProposals}). */
  readonly proposals: Boxes;
  readonly groundTruth: GroundTruth;
  /** The injected sampler's decision for this image. */
  readonly match: RoiMatch;
  /** The second stage's coder: `new BoxCoder({ weights: [10, 10, 5, 5] })`. */
  readonly boxCoder: Pick<BoxCoder, 'encode'>;
}

/**
 * The bookkeeping of torchvision `RoIHeads.select_training_samples` after matching and
 * sampling: gathers the sampled proposals, their labels (GT class for positives, 0 for
 * negatives), matched GT indices and regression targets. Inputs are not disposed.
 * @throws RcnnError `INVALID_ARGUMENT` when an index is out of range or a positive has no match
 */
export function buildRoiSamples({
  proposals,
  groundTruth,
  match,
  boxCoder,
}: BuildRoiSamplesInputs): RoiSamples {
  const numProposals = proposals.shape[0];
  const numTruths = groundTruth.boxes.shape[0];
  const { matchedGtIndices, sampledPositive, sampledNegative } = match;
  ensure(
    matchedGtIndices.length === numProposals,
    'INVALID_ARGUMENT',
    () =>
      `matchedGtIndices has ${matchedGtIndices.length} entries for ${numProposals} proposals (GT appended?)`,
  );
  const isPositive = new Uint8Array(numProposals);
  const isSampled = new Uint8Array(numProposals);
  for (const [list, positive] of [
    [sampledPositive, true],
    [sampledNegative, false],
  ] as const) {
    for (let i = 0; i < list.length; i++) {
      const index = list[i]!;
      ensure(
        Number.isInteger(index) && index >= 0 && index < numProposals && !isSampled[index],
        'INVALID_ARGUMENT',
        () => `sampled index ${index} is out of [0, ${numProposals}) or sampled twice`,
      );
      const matched = matchedGtIndices[index]!;
      ensure(
        !positive || (matched >= 0 && matched < numTruths),
        'INVALID_ARGUMENT',
        () => `positive proposal ${index} has matched GT index ${matched} (of ${numTruths} GT boxes)`,
      );
      isSampled[index] = 1;
      isPositive[index] = positive ? 1 : 0;
    }
  }
  const sampled: number[] = [];
  const positivePositions: number[] = [];
  const matched: number[] = [];
  for (let index = 0; index < numProposals; index++) {
    if (!isSampled[index]) continue;
    if (isPositive[index]) positivePositions.push(sampled.length);
    sampled.push(index);
    matched.push(isPositive[index] ? matchedGtIndices[index]! : 0);
  }
  const tensors = tf.tidy(() => {
    const count = sampled.length;
    const boxes = tf.gather(proposals, tf.tensor1d(sampled, 'int32')) as tf.Tensor2D;
    const matchedTensor = tf.tensor1d(matched, 'int32');
    const positiveMask = tf.tensor1d(
      sampled.map((index) => isPositive[index]!),
      'bool',
    );
    if (numTruths === 0 || positivePositions.length === 0) {
      return {
        boxes: asBoxes(boxes),
        labels: tf.zeros([count], 'int32') as tf.Tensor1D,
        matchedGtIndices: matchedTensor,
        regressionTargets: tf.zeros([count, 4]) as tf.Tensor2D,
      };
    }
    const gtLabels = tf.cast(groundTruth.labels, 'int32');
    const labels = tf.where(positiveMask, tf.gather(gtLabels, matchedTensor), tf.zeros([count], 'int32'));
    const encoded = boxCoder.encode(asBoxes(tf.gather(groundTruth.boxes, matchedTensor)), asBoxes(boxes));
    const rowPositive = tf.broadcastTo(tf.expandDims(positiveMask, 1), [count, 4]);
    return {
      boxes: asBoxes(boxes),
      labels: labels as tf.Tensor1D,
      matchedGtIndices: matchedTensor,
      regressionTargets: tf.where(rowPositive, encoded, tf.zerosLike(encoded)) as tf.Tensor2D,
    };
  });
  return { ...tensors, positivePositions: Int32Array.from(positivePositions) };
}

/** Disposes the tensors of a {@link RoiSamples}. */
export function disposeRoiSamples(samples: RoiSamples): void {
  tf.dispose([samples.boxes, samples.labels, samples.matchedGtIndices, samples.regressionTargets]);
}
