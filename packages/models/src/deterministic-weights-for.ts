import { deterministicStateDict, type StateDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { GeneralizedRcnn } from './generalized-rcnn';

/** Options of {@link deterministicWeightsFor}. */
export interface DeterministicWeightsOptions {
  /** Do not print the one-time note about untrained scores. Default false. */
  readonly quiet?: boolean;
}

let noted = false;

/**
 * A full state_dict for `model` (every entry it reads, torchvision names and torch shapes),
 * filled by core's deterministic generator: bit for bit what `tools/reference/detweights.py`
 * puts into the same torchvision model. For tests and demos without a checkpoint:
 * `model.loadStateDict(deterministicWeightsFor(model))`. Plain arrays; nothing to dispose.
 *
 * These weights are untrained: detections mean nothing, and class scores are often under
 * torchvision's `boxScoreThresh` 0.05, so `predict` may return few or none (the `rcnn` CLI
 * builds with `boxScoreThresh: 0, boxDetectionsPerImg: 10` for them). The first call in a
 * process on a detector with `boxScoreThresh > 0` says so once with `console.warn`, unless
 * `quiet` or tfjs production mode is on (`tf.enableProdMode()`, which also silences tfjs's
 * own notes).
 */
export function deterministicWeightsFor(
  model: GeneralizedRcnn,
  { quiet = false }: DeterministicWeightsOptions = {},
): StateDict {
  const scoreThresh = model.roiHeads.scoreThresh;
  if (!noted && !quiet && scoreThresh > 0 && !tf.env().getBool('PROD')) {
    noted = true;
    console.warn(
      `@rcnn/models: deterministicWeightsFor gives untrained test weights: detections are meaningless and scores often fall under boxScoreThresh ${scoreThresh}, so predict may return none. Build the detector with { boxScoreThresh: 0, boxDetectionsPerImg: 10 } to see every stage's output; { quiet: true } or tf.enableProdMode() silences this note.`,
    );
  }
  return deterministicStateDict(model.stateDictShapes());
}
