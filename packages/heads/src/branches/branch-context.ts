import type * as tf from '@tensorflow/tfjs-core';

/** A typed slot in a {@link BranchContext}: the key's type parameter is the value's type. */
export class BranchKey<Value> {
  declare readonly valueType: Value;
  constructor(readonly name: string) {}
}

/**
 * What earlier branches share with later ones during one training step (a cascade: the
 * MaskIoU branch reads the mask branch's logits). Typed by {@link BranchKey}, owned by the
 * caller of the branches' `loss`, which calls {@link BranchContext.dispose} after the last one.
 */
export class BranchContext {
  readonly #values = new Map<BranchKey<unknown>, unknown>();
  readonly #tensors: tf.Tensor[] = [];

  /** Stores `value` under `key`; `tensors` (kept with `tf.keep`) are disposed with the context. */
  set<Value>(key: BranchKey<Value>, value: Value, tensors: readonly tf.Tensor[]): void {
    this.#values.set(key, value);
    this.#tensors.push(...tensors);
  }

  get<Value>(key: BranchKey<Value>): Value | undefined {
    return this.#values.get(key) as Value | undefined;
  }

  /** Disposes every tensor stored; the context is empty afterwards. */
  dispose(): void {
    for (const tensor of this.#tensors) tensor.dispose();
    this.#tensors.length = 0;
    this.#values.clear();
  }
}
