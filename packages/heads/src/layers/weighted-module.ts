import { type Disposable, ensure, RcnnError, type StateDict, sizeOfShape } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from './parameter';

/** What {@link WeightedModule.loadStateDict} found, as full state_dict keys (prefix included). */
export interface LoadStateDictReport {
  /** Parameters with no entry in the state_dict (kept their current values). */
  readonly missingKeys: string[];
  /** Entries under the prefix that no parameter reads. */
  readonly unexpectedKeys: string[];
}

/** Options of {@link WeightedModule.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw `MISSING_KEYS` on any missing or unexpected key (torch's `strict=True`). Default true. */
  readonly strict?: boolean;
}

/**
 * Base of every head module: named trainable parameters with torchvision names, loading
 * from a torchvision state_dict (layouts converted once here), and disposal.
 */
export abstract class WeightedModule implements Disposable {
  /** The torchvision prefix of this module in a detector's state_dict, e.g. `roi_heads.box_head.`. */
  abstract readonly defaultPrefix: string;
  protected abstract readonly parameters: readonly Parameter[];

  /**
   * The state_dict entries this module reads (current torchvision naming), with torch shapes:
   * feed to core's `deterministicStateDict` for test weights.
   */
  stateDictShapes(prefix: string = this.defaultPrefix): [name: string, torchShape: number[]][] {
    return this.parameters.map((p) => [prefix + p.name, [...p.torchShape]]);
  }

  /**
   * Loads torchvision weights (both name generations where torchvision renamed a module,
   * e.g. `mask_fcn1.weight` and `0.0.weight`). Keys outside `prefix` are ignored, so a whole
   * detector's state_dict can be passed. Nothing is assigned unless every found entry is valid.
   * @param prefix ends with `.` (or is empty)
   * @throws RcnnError `MISSING_KEYS` when strict and a key is missing or unexpected;
   *   `INVALID_WEIGHTS` on a dtype or shape mismatch
   */
  loadStateDict(
    stateDict: StateDict,
    prefix: string = this.defaultPrefix,
    { strict = true }: LoadStateDictOptions = {},
  ): LoadStateDictReport {
    ensure(
      prefix === '' || prefix.endsWith('.'),
      'INVALID_ARGUMENT',
      () => `state_dict prefix must end with '.', got '${prefix}'`,
    );
    const consumed = new Set<string>();
    const missingKeys: string[] = [];
    const found: [Parameter, Float32Array][] = [];
    for (const parameter of this.parameters) {
      const key = [parameter.name, ...parameter.aliases].map((n) => prefix + n).find((k) => stateDict.has(k));
      if (key === undefined) {
        missingKeys.push(prefix + parameter.name);
        continue;
      }
      consumed.add(key);
      const entry = stateDict.get(key)!;
      const shape = parameter.torchShape;
      if (
        entry.dtype !== 'float32' ||
        entry.shape.join() !== shape.join() ||
        entry.data.length !== sizeOfShape(shape)
      ) {
        throw new RcnnError(
          'INVALID_WEIGHTS',
          `${this.constructor.name}: ${key} must be float32 [${shape.join(', ')}], got ${entry.dtype} [${entry.shape.join(', ')}]`,
        );
      }
      found.push([parameter, entry.data as Float32Array]);
    }
    const unexpectedKeys = [...stateDict.keys()].filter((k) => k.startsWith(prefix) && !consumed.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      throw new RcnnError(
        'MISSING_KEYS',
        `${this.constructor.name}.loadStateDict(prefix '${prefix}'): missing [${missingKeys.join(', ')}], unexpected [${unexpectedKeys.join(', ')}]`,
      );
    }
    for (const [parameter, data] of found) {
      const value = tf.tensor(parameter.fromTorch(data), parameter.variable.shape, 'float32');
      parameter.variable.assign(value);
      value.dispose();
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Trainable weights in state_dict order, in tfjs layouts (for optimizers / `tf.variableGrads`). */
  trainableVariables(): tf.Variable[] {
    return this.parameters.map((p) => p.variable);
  }

  /** Releases the weights. The module must not be used afterwards. */
  dispose(): void {
    for (const parameter of this.parameters) parameter.variable.dispose();
  }
}
