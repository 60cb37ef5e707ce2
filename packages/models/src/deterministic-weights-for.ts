import { deterministicStateDict, type StateDict } from '@rcnn/core';
import type { GeneralizedRcnn } from './generalized-rcnn';

/**
 * A full state_dict for `model` (every entry it reads, torchvision names and torch shapes),
 * filled by core's deterministic generator: bit for bit what `tools/reference/detweights.py`
 * puts into the same torchvision model. For tests and demos without a checkpoint:
 * `model.loadStateDict(deterministicWeightsFor(model))`. Plain arrays; nothing to dispose.
 */
export function deterministicWeightsFor(model: GeneralizedRcnn): StateDict {
  return deterministicStateDict(model.stateDictShapes());
}
