import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../weights/state-dict';
import type { Module } from './module';
import { resetParameters } from './reset-parameters';

/**
 * A module's weights as a detector's state_dict loading and saving sees them (the shape of
 * `@rcnn/models`' `WeightSlot`, which stage packages cannot import): entries under one prefix,
 * loading already-validated entries, saving in torch layout, and the trainable variables.
 */
export interface ModuleWeightSlot {
  readonly prefix: string;
  expectedEntries(): {
    readonly name: string;
    readonly shape: readonly number[];
    readonly aliases: readonly string[];
  }[];
  /** @param complete false for a non-strict partial load: absent entries keep their values */
  load(entries: StateDict, complete: boolean): void;
  save(): Promise<StateDict>;
  trainable(): [name: string, variable: tf.Variable][];
  /** Draws every entry again from its initializer, seeded by `seed` and the entry's full name. */
  reset(seed: number): void;
}

/** The {@link ModuleWeightSlot} of `module` under `prefix` (e.g. `backbone.`). */
export function moduleWeightSlot(module: Module, prefix: string): ModuleWeightSlot {
  return {
    prefix,
    expectedEntries: () =>
      module.expectedEntries(prefix).map(({ name, shape, aliases }) => ({ name, shape, aliases })),
    load: (entries, complete) => {
      module.loadStateDict(entries, prefix, { strict: complete });
    },
    save: () => module.saveStateDict(prefix),
    trainable: () => module.trainableVariables(prefix),
    reset: (seed) => resetParameters(module, seed, prefix),
  };
}
