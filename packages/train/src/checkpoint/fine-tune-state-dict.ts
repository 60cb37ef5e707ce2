import { RcnnError, type StateDict } from '@rcnn/core';

/** What {@link fineTuneStateDict} took and left. */
export interface FineTuneMerge {
  /** The model's own entries, overwritten by the checkpoint's wherever name and shape agree. */
  readonly stateDict: StateDict;
  /** Names kept at the model's initialisation because the checkpoint's shape differs (new class count). */
  readonly reinitialised: string[];
  /** Checkpoint entries the model has no place for. */
  readonly unused: string[];
}

/**
 * Prepares fine-tuning on new classes from a checkpoint (torchvision's tutorial: load the COCO
 * weights, replace the box/mask predictors for `num_classes`): every entry of `initial` (the new
 * model's own initial weights) is taken from `checkpoint` where the name exists there with the same
 * shape; the rest (the predictors, sized for the old class count) keep their initial values.
 * Load the result strictly.
 * @throws RcnnError `INVALID_WEIGHTS` when the checkpoint shares no entry with the model (wrong file)
 */
export function fineTuneStateDict(initial: StateDict, checkpoint: StateDict): FineTuneMerge {
  const stateDict: StateDict = new Map();
  const reinitialised: string[] = [];
  let taken = 0;
  for (const [name, entry] of initial) {
    const source = checkpoint.get(name);
    const fits =
      source !== undefined &&
      source.shape.length === entry.shape.length &&
      source.shape.every((d, i) => d === entry.shape[i]);
    if (fits) taken++;
    else reinitialised.push(name);
    stateDict.set(name, fits ? source : entry);
  }
  if (taken === 0) {
    throw new RcnnError(
      'INVALID_WEIGHTS',
      'the checkpoint has no entry of this model (names and shapes differ everywhere)',
    );
  }
  const unused = [...checkpoint.keys()].filter((name) => !initial.has(name));
  return { stateDict, reinitialised, unused };
}
