import { deterministicTensor, disposeGroundTruth, type StateDict, variableGradsAsync } from '@rcnn/core';
import { disposeAll, relativeError } from '@rcnn/test-utils/browser';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { deterministicWeightsFor } from '../deterministic-weights-for';
import type { GeneralizedRcnn } from '../generalized-rcnn';
import {
  type TensorSummary,
  TORCHVISION_LOSS_KEYS,
  type TrainStepFixture,
  trainStepImages,
  trainStepModel,
  trainStepTargets,
} from './train-step-fixture';

/** One training step's losses and gradients (torch layout, by torchvision name). */
export async function trainingStep(model: GeneralizedRcnn, fixture: TrainStepFixture) {
  const images = trainStepImages(fixture);
  const targets = trainStepTargets(fixture);
  const variables = model.trainableVariables();
  const lossValues: Record<string, number> = {};
  try {
    const { value, grads } = await variableGradsAsync(async () => {
      const losses = await model.loss(images, targets);
      for (const [key, loss] of Object.entries(losses)) lossValues[key] = (await loss.data())[0]!;
      const total = tf.addN(Object.values(losses)) as tf.Scalar;
      tf.dispose(Object.values(losses));
      return total;
    }, [...variables.values()]);
    const gradients = await inTorchLayout(
      model,
      [...variables.entries()].map(([name], i) => [name, grads[i] ?? null]),
    );
    disposeAll([value, grads]);
    return { lossValues, gradients };
  } finally {
    disposeAll(images);
    for (const target of targets) disposeGroundTruth(target);
  }
}

/**
 * Gradients converted to torch layout by the detector's own save path: each variable holds its
 * gradient while the state_dict is saved, then gets its value back.
 */
async function inTorchLayout(
  model: GeneralizedRcnn,
  grads: [string, tf.Tensor | null][],
): Promise<StateDict> {
  const variables = model.trainableVariables();
  const kept = new Map([...variables].map(([name, variable]) => [name, tf.clone(variable)]));
  try {
    for (const [name, grad] of grads) if (grad) variables.get(name)!.assign(grad);
    const saved = await model.saveStateDict();
    return new Map(grads.filter(([, grad]) => grad !== null).map(([name]) => [name, saved.get(name)!]));
  } finally {
    for (const [name, value] of kept) variables.get(name)!.assign(value);
    disposeAll([...kept.values()]);
  }
}

function projection(name: string, data: Float32Array, shape: readonly number[], k: number): number {
  const direction = deterministicTensor(`projection${k}/${name}`, shape, -1, 1);
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]! * direction[i]!;
  return sum;
}

/**
 * Errors of `data` against torch's summary: the norm's relative error, and each projection's
 * error relative to norm / sqrt(3) (a projection on a uniform [-1, 1] direction is about that
 * big, so this estimates the relative error; a projection that happens to cancel would
 * otherwise inflate float32 rounding into a false alarm).
 */
function summaryErrors(
  name: string,
  data: Float32Array,
  shape: readonly number[],
  reference: TensorSummary,
): [string, number][] {
  const norm = Math.sqrt(data.reduce((sum, value) => sum + value * value, 0));
  const scale = reference.norm / Math.sqrt(3);
  return [
    [`${name} norm`, relativeError([norm], [reference.norm])],
    ...[0, 1].map((k): [string, number] => [
      `${name} projection ${k}`,
      Math.abs(projection(name, data, shape, k) - reference.projections[k]!) / scale,
    ]),
  ];
}

/** The change of each running statistic torchvision's step changed (BatchNorm on batch statistics). */
async function runningStatisticErrors(
  model: GeneralizedRcnn,
  before: StateDict,
  fixture: TrainStepFixture,
): Promise<[string, number][]> {
  const after = await model.saveStateDict();
  const changed = [...after.keys()].filter((name) => {
    const [old, now] = [before.get(name)!.data, after.get(name)!.data];
    return old.some((value, i) => value !== now[i]);
  });
  expect(changed.sort(), 'running statistics the step changed').toEqual(Object.keys(fixture.buffers).sort());
  return changed.flatMap((name) => {
    const [old, now] = [before.get(name)!, after.get(name)!];
    const change = Float32Array.from(now.data, (value, i) => value - old.data[i]!);
    return summaryErrors(name, change, now.shape, fixture.buffers[name]!);
  });
}

/**
 * A reference gradient below this norm is zero in exact arithmetic, float32 rounding in torch: the
 * keypoint predictor's `kps_score_lowres.bias` (each heatmap's softmax cross-entropy gradient sums
 * to zero over its 56x56 positions, the 2x resize keeps sums, so the bias sums zeros; torch's norm
 * is 1.6e-8). Relative error means nothing there; ours must be as small instead.
 */
const ZERO_GRADIENT_NORM = 1e-6;

/** Tolerances of {@link expectTrainStepMatches}, relative. */
export interface TrainStepTolerances {
  readonly loss: number;
  readonly gradient: number;
  /** Running statistics' changes (BatchNorm on batch statistics). */
  readonly statistics: number;
}

/**
 * Builds the fixture's detector with deterministic weights on the active backend, runs one
 * training step with torchvision's draws replayed, and expects torchvision's losses, running
 * statistics and every parameter's gradient (norm and two projections) within `tolerances`.
 */
export async function expectTrainStepMatches(fixture: TrainStepFixture, tolerances: TrainStepTolerances) {
  const model = trainStepModel(fixture);
  try {
    const weights = deterministicWeightsFor(model);
    model.loadStateDict(weights);
    const { lossValues, gradients } = await trainingStep(model, fixture);
    const expectedKeys = Object.keys(fixture.losses).map((key) => TORCHVISION_LOSS_KEYS[key]);
    expect(Object.keys(lossValues).sort()).toEqual([...expectedKeys].sort());
    const lossErrors = Object.entries(fixture.losses).map(([key, expected]): [string, number] => {
      const actual = lossValues[TORCHVISION_LOSS_KEYS[key]!]!;
      return [`${key}: ${actual} vs ${expected}`, Math.abs(actual - expected) / Math.abs(expected)];
    });
    const statisticErrors = await runningStatisticErrors(model, weights, fixture);
    // Every parameter torchvision trains (the backbone's FPN and layer2..4 included) must match.
    const expectedNames = Object.keys(fixture.gradients);
    expect([...gradients.keys()].sort()).toEqual(expectedNames.sort());
    const errors: [string, number][] = [];
    for (const [name, entry] of gradients) {
      const data = entry.data as Float32Array;
      const reference = fixture.gradients[name]!;
      if (reference.norm < ZERO_GRADIENT_NORM) {
        const norm = Math.sqrt(data.reduce((sum, value) => sum + value * value, 0));
        expect(norm, `${name} norm (zero in exact arithmetic)`).toBeLessThan(ZERO_GRADIENT_NORM);
        continue;
      }
      errors.push(...summaryErrors(name, data, entry.shape, reference));
    }
    for (const [what, error] of lossErrors) expect(error, what).toBeLessThan(tolerances.loss);
    for (const [what, error] of statisticErrors) expect(error, what).toBeLessThan(tolerances.statistics);
    errors.sort((a, b) => b[1] - a[1]);
    expect(errors[0]![1], errors[0]![0]).toBeLessThan(tolerances.gradient);
  } finally {
    model.dispose();
  }
}
