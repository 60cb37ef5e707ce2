import type * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import type { StateDict } from '../weights/state-dict';
import {
  type ExpectedStateDictEntry,
  type LoadStateDictOptions,
  type LoadStateDictReport,
  loadEntries,
} from './load-state-dict';
import { Parameter, type ParameterOptions } from './parameter';

/**
 * Base of a layer or block whose state_dict names ARE torchvision's: its own parameters and
 * buffers (registered in torch's order), then its named children, so that
 * `prefix + child names + local name` is the key torch's `state_dict()` writes. Forward
 * signatures are the subclasses' own. Owns every parameter of the tree (`dispose()`).
 */
export abstract class Module {
  readonly #entries: Parameter[] = [];
  readonly #children: [string, Module][] = [];
  readonly #childAliases = new Map<string, readonly string[]>();
  #training = false;

  /** torch's `Module.training`: batch statistics in BatchNorm, no folding. Default false (eval). */
  get training(): boolean {
    return this.#training;
  }

  /** Sets training mode on this module and every descendant (torch's `train(mode)`); returns this. */
  train(mode = true): this {
    this.#training = mode;
    for (const [, child] of this.#children) child.train(mode);
    return this;
  }

  /** `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Registers an own parameter or buffer (state_dict order is registration order). */
  protected addParameter(options: ParameterOptions): Parameter {
    if (this.#entries.some((entry) => entry.name === options.name)) {
      throw new RcnnError('INVALID_ARGUMENT', `duplicate parameter name '${options.name}'`);
    }
    const parameter = new Parameter(options);
    this.#entries.push(parameter);
    return parameter;
  }

  /**
   * Registers a child module under its torchvision attribute name (`conv1`, `0`, `layer_blocks`...).
   * @param aliases older names of the child accepted on load; `''` means its entries once sat
   *   directly in this module (torchvision < 0.13 FPN: `inner_blocks.0.weight` for `inner_blocks.0.0.weight`)
   */
  protected addModule<M extends Module>(name: string, module: M, aliases: readonly string[] = []): M {
    if (this.#children.some(([existing]) => existing === name)) {
      throw new RcnnError('INVALID_ARGUMENT', `duplicate child module name '${name}'`);
    }
    this.#children.push([name, module]);
    if (aliases.length > 0) this.#childAliases.set(name, aliases);
    module.train(this.#training);
    return module;
  }

  /** Direct children, in registration order. */
  namedChildren(): readonly (readonly [string, Module])[] {
    return this.#children;
  }

  /** Every parameter and buffer of the tree with its full name, in torch `state_dict()` order. */
  namedEntries(prefix = ''): [name: string, entry: Parameter][] {
    const out: [string, Parameter][] = this.#entries.map((entry) => [prefix + entry.name, entry]);
    for (const [name, child] of this.#children) out.push(...child.namedEntries(`${prefix}${name}.`));
    return out;
  }

  /**
   * Every entry with its full name, torch shape and the older full names accepted on load
   * (entry aliases and child aliases combined), in state_dict order.
   */
  expectedEntries(prefix = ''): ExpectedStateDictEntry[] {
    return this.#expected([prefix]);
  }

  #expected(prefixes: readonly string[]): ExpectedStateDictEntry[] {
    const [current, ...older] = prefixes as [string, ...string[]];
    const out: ExpectedStateDictEntry[] = this.#entries.map((entry) => ({
      name: current + entry.name,
      shape: [...entry.torchShape],
      aliases: [
        ...older.map((prefix) => prefix + entry.name),
        ...prefixes.flatMap((prefix) => entry.aliases.map((alias) => prefix + alias)),
      ],
      entry,
    }));
    for (const [name, child] of this.#children) {
      const aliases = this.#childAliases.get(name) ?? [];
      const childPrefixes = prefixes.flatMap((prefix) => [
        `${prefix}${name}.`,
        ...aliases.map((alias) => (alias === '' ? prefix : `${prefix}${alias}.`)),
      ]);
      // The current name first; the rest are older spellings.
      out.push(
        ...child.#expected([
          `${current}${name}.`,
          ...childPrefixes.filter((p) => p !== `${current}${name}.`),
        ]),
      );
    }
    return out;
  }

  /** Parameters only (no buffers), as torch's `named_parameters(prefix)`. */
  namedParameters(prefix = ''): [name: string, parameter: Parameter][] {
    return this.namedEntries(prefix).filter(([, entry]) => !entry.isBuffer);
  }

  /** `(name, torch shape)` of every state_dict entry, in order (for `deterministicStateDict`). */
  stateDictShapes(prefix = ''): [name: string, torchShape: number[]][] {
    return this.namedEntries(prefix).map(([name, entry]) => [name, [...entry.torchShape]]);
  }

  /** The variables an optimizer updates, by full name, in state_dict order (tfjs layouts). */
  trainableVariables(prefix = ''): [name: string, variable: tf.Variable][] {
    return this.namedParameters(prefix)
      .filter(([, parameter]) => parameter.trainable)
      .map(([name, parameter]) => [name, parameter.variable]);
  }

  /** Marks every parameter of the tree trainable or frozen (buffers stay frozen); returns this. */
  setTrainable(trainable: boolean): this {
    for (const [, parameter] of this.namedParameters()) parameter.setTrainable(trainable);
    return this;
  }

  /**
   * Loads torchvision weights by name (current names or their aliases), converting layouts once.
   * Keys outside `prefix` are ignored, so a whole detector checkpoint can be passed;
   * `<norm>.num_batches_tracked` is ignored as FrozenBatchNorm2d does (its value does not affect
   * momentum 0.1 updates). Nothing is assigned unless every found entry is well-shaped.
   * @param prefix `''` or ending with `.`
   * @throws RcnnError INVALID_WEIGHTS listing mis-shaped or non-float32 entries; MISSING_KEYS
   *   listing missing and unexpected keys when `strict` (default true)
   */
  loadStateDict(stateDict: StateDict, prefix = '', options: LoadStateDictOptions = {}): LoadStateDictReport {
    return loadEntries(this.constructor.name, this.expectedEntries(prefix), stateDict, prefix, options);
  }

  /** Every entry in torch layout under its current full name (async read-backs); arrays are new. */
  async saveStateDict(prefix = ''): Promise<StateDict> {
    const entries = this.namedEntries(prefix);
    const values = await Promise.all(entries.map(([, entry]) => entry.saveTorch()));
    const dict: StateDict = new Map();
    entries.forEach(([name, entry], i) => {
      dict.set(name, { dtype: 'float32', shape: [...entry.torchShape], data: values[i]! });
    });
    return dict;
  }

  /** Releases every variable of the tree (and subclasses' caches). Unusable afterwards. */
  dispose(): void {
    for (const entry of this.#entries) entry.dispose();
    for (const [, child] of this.#children) child.dispose();
  }
}
