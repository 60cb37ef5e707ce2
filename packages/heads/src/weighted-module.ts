import {
  type Disposable,
  type LoadStateDictOptions,
  type LoadStateDictReport,
  loadModuleStateDict,
  type Module,
  type ModuleWeightSlot,
  moduleWeightSlot,
  type StateDict,
} from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';

export type { LoadStateDictOptions, LoadStateDictReport } from '@rcnn/core';

/**
 * Base of every head module: its layers are `@rcnn/core` nn modules ({@link WeightedModule.layers})
 * under torchvision's names, read and written in torch layouts by core; this adds the head's
 * torchvision prefix as the default, the variables as a plain list, and disposal.
 */
export abstract class WeightedModule implements Disposable {
  /** The torchvision prefix of this module in a detector's state_dict, e.g. `roi_heads.box_head.`. */
  abstract readonly defaultPrefix: string;
  /** The head's layers under torchvision names relative to the prefix (`fc6`, `0.0`, `conv5_mask`...). */
  abstract readonly layers: Module;

  /**
   * The state_dict entries this module reads (current torchvision naming), with torch shapes:
   * feed to core's `deterministicStateDict` for test weights.
   */
  stateDictShapes(prefix: string = this.defaultPrefix): [name: string, torchShape: number[]][] {
    return this.layers.stateDictShapes(prefix);
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
    options: LoadStateDictOptions = {},
  ): LoadStateDictReport {
    const owner = this.constructor.name;
    return loadModuleStateDict(this.layers, stateDict, prefix, options, {
      owner,
      misShaped: (bad) =>
        `${owner}: ${bad.key} must be float32 [${bad.expected.join(', ')}], got ${bad.dtype} [${bad.shape.join(', ')}]`,
    });
  }

  /** Every entry in torch layout under `prefix` (async read-backs); arrays are new, caller owns. */
  saveStateDict(prefix: string = this.defaultPrefix): Promise<StateDict> {
    return this.layers.saveStateDict(prefix);
  }

  /** Trainable weights in state_dict order, in tfjs layouts (for optimizers / `tf.variableGrads`). */
  trainableVariables(): tf.Variable[] {
    return this.layers.trainableVariables().map(([, variable]) => variable);
  }

  /** The module's weights as a detector's state_dict sees them (`@rcnn/models`' weight slot). */
  weightSlots(prefix: string = this.defaultPrefix): ModuleWeightSlot[] {
    return [moduleWeightSlot(this.layers, prefix)];
  }

  /** Releases the weights. The module must not be used afterwards. */
  dispose(): void {
    this.layers.dispose();
  }
}
