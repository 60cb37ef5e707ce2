import {
  type BoxCoder,
  type Boxes,
  ensure,
  type FeatureMaps,
  type GroundTruth,
  type LossRecord,
  RcnnError,
  stopGradient,
} from '@rcnn/core';
import {
  appendGtProposals,
  type BoxBranch,
  BranchContext,
  buildRoiSamples,
  disposeRoiSamples,
  type RoiHeadBranch,
  type RoiSampler,
  type RoiSamples,
} from '@rcnn/heads';
import * as tf from '@tensorflow/tfjs-core';

/** The parts of the RoI heads a training step uses. */
export interface RoiHeadsTrainingParts {
  readonly box: BoxBranch;
  readonly branches: readonly RoiHeadBranch[];
  readonly boxCoder: BoxCoder;
  readonly sampler: RoiSampler;
}

/**
 * The second stage's losses (torchvision `RoIHeads.forward` in training): proposals detached,
 * GT boxes appended, matched and sampled (the injected sampler; one read-back), regression
 * targets encoded, then the box branch's losses and each branch's on the same samples, in order,
 * sharing one `BranchContext`. Differentiable in the weights when run under `variableGradsAsync`.
 * @param features the pyramid; not disposed
 * @param proposals per image `[P_i, 4]` xyxy in resized-image pixels; not disposed
 * @param targets per image, in resized-image pixels; not disposed
 * @returns `roiHeads/classification`, `roiHeads/boxRegression` and the branches' keys; caller owns
 * @throws RcnnError `INVALID_ARGUMENT` on mismatched counts or a loss key two parts both produce
 */
export async function roiHeadsLoss(
  parts: RoiHeadsTrainingParts,
  features: FeatureMaps,
  proposals: readonly Boxes[],
  targets: readonly GroundTruth[],
): Promise<LossRecord> {
  ensure(
    proposals.length === targets.length && proposals.length > 0,
    'INVALID_ARGUMENT',
    () => `RoiHeads.loss: ${proposals.length} proposal sets for ${targets.length} targets`,
  );
  const candidates = proposals.map((boxes, i) =>
    tf.tidy(() => appendGtProposals(stopGradient(boxes), targets[i]!.boxes)),
  );
  const samples: RoiSamples[] = [];
  const context = new BranchContext();
  const losses: LossRecord = {};
  try {
    const matches = await parts.sampler.matchAndSample(candidates, targets);
    candidates.forEach((candidate, i) => {
      samples.push(
        buildRoiSamples({
          proposals: candidate,
          groundTruth: targets[i]!,
          match: matches[i]!,
          boxCoder: parts.boxCoder,
        }),
      );
    });
    mergeLosses(losses, parts.box.loss(features, samples));
    for (const branch of parts.branches) {
      mergeLosses(losses, branch.loss({ features, samples, targets, context }));
    }
    return losses;
  } catch (error) {
    tf.dispose(Object.values(losses));
    throw error;
  } finally {
    context.dispose();
    for (const sample of samples) disposeRoiSamples(sample);
    tf.dispose(candidates);
  }
}

/** Adds `more` into `into`; a key produced twice is a configuration error (two branches, one name). */
export function mergeLosses(into: LossRecord, more: LossRecord): void {
  for (const [key, value] of Object.entries(more)) {
    if (key in into) {
      tf.dispose(Object.values(more));
      throw new RcnnError('INVALID_ARGUMENT', `two parts of the detector both produce the loss '${key}'`);
    }
    into[key] = value;
  }
}
