import { type GroundTruth, RcnnError, variableGradsAsync } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { GradientFunction, TrainableDetector } from '../trainable-detector';

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
 * The one place gradients are taken: `@rcnn/core`'s `variableGradsAsync` (or the `gradients`
 * function given) differentiates `model.loss` across its awaits. The loss is the plain sum of the
 * terms, as torchvision's references sum `loss_dict.values()`. Gradient kernels must be registered
 * by the caller (`import '@tensorflow/tfjs-core/dist/register_all_gradients'`).
 * @param images, targets not disposed (caller owns)
 * @param lossOptions passed to `model.loss` (this step's `minSize`)
 */
export async function lossGradients(
  model: TrainableDetector,
  images: readonly tf.Tensor3D[],
  targets: readonly GroundTruth[],
  variables: readonly tf.Variable[],
  gradients?: GradientFunction,
  lossOptions?: { readonly minSize?: number },
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
  const compute = gradients ?? variableGradsAsync;
  let result: Awaited<ReturnType<GradientFunction>>;
  try {
    result = await compute(async () => combine(await model.loss(images, targets, lossOptions)), variables);
  } catch (error) {
    stacked?.dispose();
    throw error;
  }
  const { value, grads } = result;
  try {
    const total = (await value.data())[0];
    const values = stacked ? await stacked.data() : new Float32Array(0);
    return { total, terms: Object.fromEntries(keys.map((k, i) => [k, values[i]])), grads };
  } finally {
    value.dispose();
    stacked?.dispose();
  }
}
