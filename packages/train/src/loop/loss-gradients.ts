import { type GroundTruth, RcnnError } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { GradientFunction, TrainableDetector } from '../trainable-detector';

/** A model whose loss can also run synchronously (then `tf.variableGrads` differentiates it). */
export interface SyncLossDetector extends TrainableDetector {
  lossSync(images: readonly tf.Tensor3D[], targets: readonly GroundTruth[]): Record<string, tf.Scalar>;
}

/** One forward + backward: plain loss values and the gradients (caller owns `grads`). */
export interface LossGradients {
  /** Sum of the terms. */
  readonly total: number;
  /** Each loss term's value, by its namespaced key. */
  readonly terms: Record<string, number>;
  /** `d total / d variable`, one per variable in order; `null` where the loss does not reach it. */
  readonly grads: (tf.Tensor | null)[];
}

/**
 * The one place gradients are taken. With `gradients` (`@rcnn/core`'s `variableGradsAsync`) it
 * differentiates `model.loss` across its awaits; without, it needs a model with `lossSync` and
 * uses `tf.variableGrads`. The loss is the plain sum of the terms, as torchvision's references sum
 * `loss_dict.values()`.
 * @param images, targets not disposed (caller owns)
 */
export async function lossGradients(
  model: TrainableDetector,
  images: readonly tf.Tensor3D[],
  targets: readonly GroundTruth[],
  variables: readonly tf.Variable[],
  gradients?: GradientFunction,
): Promise<LossGradients> {
  let keys: string[] = [];
  let stacked: tf.Tensor | undefined;
  const combine = (record: Record<string, tf.Scalar>): tf.Scalar => {
    keys = Object.keys(record);
    if (keys.length === 0) throw new RcnnError('INVALID_ARGUMENT', 'the model returned no loss terms');
    const terms = keys.map((k) => record[k]);
    stacked = tf.keep(tf.stack(terms));
    const total = (terms.length === 1 ? tf.clone(terms[0]) : tf.addN(terms)) as tf.Scalar;
    for (const term of terms) term.dispose();
    return total;
  };
  let value: tf.Scalar;
  let grads: (tf.Tensor | null)[];
  if (gradients) {
    ({ value, grads } = await gradients(async () => combine(await model.loss(images, targets)), variables));
  } else {
    const sync = (model as Partial<SyncLossDetector>).lossSync;
    if (typeof sync !== 'function') {
      throw new RcnnError(
        'UNSUPPORTED',
        "this model's loss awaits: pass `gradients: variableGradsAsync` (from @rcnn/core) to train it",
      );
    }
    const result = tf.variableGrads(() => combine(sync.call(model, images, targets)), variables.slice());
    value = result.value;
    grads = variables.map((v) => result.grads[v.name] ?? null);
  }
  try {
    const total = (await value.data())[0];
    const values = stacked ? await stacked.data() : new Float32Array(0);
    return { total, terms: Object.fromEntries(keys.map((k, i) => [k, values[i]])), grads };
  } finally {
    value.dispose();
    stacked?.dispose();
  }
}
