import type { StateDict } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';

/** One state_dict entry a module reads: its current torchvision name, torch-layout shape and older names. */
export interface ExpectedEntry {
  /** Full name including the module's prefix, e.g. `roi_heads.box_head.fc6.weight`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Names older torchvision versions saved the same entry under (accepted on load, never written). */
  readonly aliases: readonly string[];
}

/**
 * A weighted part of a detector as the detector's `loadStateDict` / `saveStateDict` see it:
 * which entries it reads (under one torchvision prefix), how to load them and how to save them.
 * Components opt in by implementing {@link HasWeightSlots}; the presets' parts all do (or are
 * adapted by `@rcnn/models`).
 */
export interface WeightSlot {
  /** torchvision prefix, e.g. `backbone.`, `rpn.head.`, `roi_heads.mask_head.`. */
  readonly prefix: string;
  /** Entries in torchvision's `state_dict()` order. */
  expectedEntries(): readonly ExpectedEntry[];
  /**
   * Loads already validated entries (current names, expected shapes, float32).
   * @param entries the slot's entries found in the checkpoint, keyed by their current name
   * @param complete false when some expected entries are absent (non-strict load): the others keep their values
   */
  load(entries: StateDict, complete: boolean): void;
  /** The slot's weights in torch layout and current names; arrays are new (caller owns). */
  save(): Promise<StateDict>;
  /**
   * The variables an optimizer updates, by full torchvision name (a subset of the expected
   * entries, in their order; tfjs layouts). Absent or empty: the slot is frozen (constants).
   */
  trainable?(): readonly (readonly [name: string, variable: tf.Variable])[];
  /** Draws the slot's weights again from their initializers, seeded (see core's `resetParameters`). */
  reset?(seed: number): void;
}

/** A component that exposes its weights to a detector's state_dict loading and saving. */
export interface HasWeightSlots {
  weightSlots(): readonly WeightSlot[];
}

/** True when `value` implements {@link HasWeightSlots}. */
export function hasWeightSlots(value: unknown): value is HasWeightSlots {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<HasWeightSlots>).weightSlots === 'function'
  );
}
