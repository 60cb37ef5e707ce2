import {
  type Backbone,
  ensure,
  type FeatureMaps,
  type FeatureSpec,
  type LevelName,
  RcnnError,
  type StateDict,
} from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { ExpectedEntry, HasWeightSlots, WeightSlot } from './weight-slot';

/** Options of {@link LoadableBackbone}. */
export interface LoadableBackboneOptions {
  /** torchvision prefix of the backbone's entries. Default `'backbone.'`. */
  readonly prefix?: string;
  /** Every entry the backbone reads, with torch shapes (e.g. `resnetFpnParameterShapes(options)`), in order. */
  readonly parameterShapes: readonly (readonly [name: string, shape: readonly number[]])[];
  /** Older names of an entry, accepted on load (e.g. the pre-0.13 FPN `inner_blocks.0.weight`). */
  readonly aliasesOf?: (name: string) => string[];
  /** Builds a ready backbone from a state_dict holding every entry of `parameterShapes`. */
  readonly build: (weights: StateDict) => Backbone;
  /** Declared levels, known before any weights are loaded. */
  readonly outputSpecs: Readonly<Record<LevelName, FeatureSpec>>;
  readonly sizeDivisibility: number;
  /** Build it now from these (else it is built by the detector's `loadStateDict`). */
  readonly weights?: StateDict;
}

/**
 * A core `Backbone` that can be (re)built from a torchvision state_dict, so a detector's
 * `loadStateDict` can dispatch `backbone.*` to it: for backbones built from arrays (constants)
 * rather than from core's nn modules, whose torch-layout weights cannot be read back. This wrapper
 * keeps the arrays it was built from (references, not copies) and saves those; it has no
 * trainable variables. Until it has weights, `forward` throws. (`@rcnn/backbone-resnet-fpn`'s
 * backbone is an nn `Module` with its own weight slot and does not need it.)
 */
export class LoadableBackbone implements Backbone, HasWeightSlots {
  readonly specificationVersion = 'v1' as const;
  readonly sizeDivisibility: number;
  readonly prefix: string;
  readonly #options: LoadableBackboneOptions;
  readonly #specs: Readonly<Record<LevelName, FeatureSpec>>;
  #backbone: Backbone | undefined;
  #weights: StateDict | undefined;

  constructor(options: LoadableBackboneOptions) {
    this.#options = options;
    this.prefix = options.prefix ?? 'backbone.';
    this.sizeDivisibility = options.sizeDivisibility;
    this.#specs = options.outputSpecs;
    if (options.weights) this.#rebuild(options.weights);
  }

  /** The built backbone, if weights were loaded. */
  get backbone(): Backbone | undefined {
    return this.#backbone;
  }

  outputSpecs(): Readonly<Record<LevelName, FeatureSpec>> {
    return this.#specs;
  }

  /**
   * @param images `[B, H, W, 3]` float32 normalized, padded; not disposed
   * @returns the wrapped backbone's levels; caller owns
   * @throws RcnnError `MISSING_KEYS` before any weights were loaded
   */
  forward(images: tf.Tensor4D): FeatureMaps {
    if (!this.#backbone) {
      throw new RcnnError(
        'MISSING_KEYS',
        'the backbone has no weights yet: pass `weights` to the preset or call loadStateDict (deterministicWeightsFor(model) gives test weights)',
      );
    }
    return this.#backbone.forward(images);
  }

  weightSlots(): readonly WeightSlot[] {
    const { parameterShapes, aliasesOf } = this.#options;
    return [
      {
        prefix: this.prefix,
        expectedEntries: (): ExpectedEntry[] =>
          parameterShapes.map(([name, shape]) => ({ name, shape, aliases: aliasesOf?.(name) ?? [] })),
        load: (entries, complete) => {
          let weights = entries;
          if (!complete) {
            ensure(
              this.#weights !== undefined,
              'MISSING_KEYS',
              () => `the backbone cannot be built from a partial checkpoint before it has weights`,
            );
            weights = new Map([...this.#weights, ...entries]);
          }
          this.#rebuild(weights);
        },
        save: async () => {
          ensure(this.#weights !== undefined, 'MISSING_KEYS', () => 'the backbone has no weights to save');
          const saved: StateDict = new Map();
          for (const [name, shape] of parameterShapes) {
            const entry = this.#weights.get(name)!;
            saved.set(name, { dtype: 'float32', shape: [...shape], data: entry.data.slice() });
          }
          return saved;
        },
      },
    ];
  }

  /** Releases the wrapped backbone's tensors and the kept arrays. */
  dispose(): void {
    this.#backbone?.dispose();
    this.#backbone = undefined;
    this.#weights = undefined;
  }

  #rebuild(weights: StateDict): void {
    const kept: StateDict = new Map();
    const { parameterShapes, aliasesOf } = this.#options;
    for (const [name] of parameterShapes) {
      const key = [name, ...(aliasesOf?.(name) ?? [])].find((candidate) => weights.has(candidate));
      if (key !== undefined) kept.set(name, weights.get(key)!);
    }
    // Build first: a failure leaves the previous backbone in place.
    const built = this.#options.build(kept);
    this.#backbone?.dispose();
    this.#backbone = built;
    this.#weights = kept;
  }
}
