import '@tensorflow/tfjs-core/dist/register_all_gradients';
import './test-support/yield-between-tests';
import { deterministicTensor, disposeGroundTruth, type StateDict, variableGradsAsync } from '@rcnn/core';
import { disposeAll, expectNoLeaks, relativeError, useBackend } from '@rcnn/test-utils';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deterministicWeightsFor } from './deterministic-weights-for';
import type { GeneralizedRcnn } from './generalized-rcnn';
import {
  type TensorSummary,
  TORCHVISION_LOSS_KEYS,
  type TrainStepFixture,
  type TrainStepVariant,
  trainStepFixture,
  trainStepImages,
  trainStepModel,
  trainStepTargets,
} from './test-support/train-step-fixture';

/** One training step's losses and gradients (torch layout, by torchvision name). */
async function trainingStep(model: GeneralizedRcnn, fixture: TrainStepFixture) {
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
 * Relative. With oneDNN serving the convolutions (CI's native pass, RCNN_NATIVE_KERNELS=1) the
 * weight gradients are summed in another order; measured worst 3.2e-4 (the mask head's first
 * conv, a gradient summed over every positive RoI's 14x14 positions), so that pass allows 1e-3.
 */
const GRADIENT_TOLERANCE = process.env.RCNN_NATIVE_KERNELS === '1' ? 1e-3 : 1e-4;

/**
 * A reference gradient below this norm is zero in exact arithmetic, float32 rounding in torch: the
 * keypoint predictor's `kps_score_lowres.bias` (each heatmap's softmax cross-entropy gradient sums
 * to zero over its 56x56 positions, the 2x resize keeps sums, so the bias sums zeros; torch's norm
 * is 1.6e-8). Relative error means nothing there; ours must be as small instead.
 */
const ZERO_GRADIENT_NORM = 1e-6;

/**
 * Every variant of tools/reference/gen_train_step.py: the three families on ResNet-18-FPN with
 * frozen BN, Mask R-CNN R18-FPN with trainable BatchNorm (batch statistics, running statistics
 * updated) and with GroupNorm, and the three families on ResNet-50-FPN with frozen BN.
 */
const VARIANTS: TrainStepVariant[] = [
  'fasterrcnn',
  'maskrcnn',
  'keypointrcnn',
  'maskrcnn-r18-bn',
  'maskrcnn-r18-gn',
  'fasterrcnn-r50',
  'maskrcnn-r50',
  'keypointrcnn-r50',
];

/**
 * Relative tolerances per variant (losses, gradients). Measured on wasm: R50-FPN's worst gradient
 * 1.1e-4 (layer3's convs; torch's own float32 run is within 3e-6 of float64 there, so the excess
 * is our float32 summation over the deeper network). With trainable BatchNorm or GroupNorm the
 * step is ill-conditioned: a 1e-5 relative perturbation of the input images moves torch's own
 * float64 gradients by up to 3.2e-2 (BatchNorm; frozen BN: 2.3e-4) and 2.5e-3 (GroupNorm, whose
 * stem gradient torch's float32 run already has 2.8e-2 from float64). Measured: BatchNorm losses
 * 9.2e-6, running statistics 4.5e-5, gradients 1.4e-2; GroupNorm losses 1.2e-5, gradients
 * 3.8e-3. Their gradient check catches structural errors (a wrong norm backward is O(1) off),
 * not rounding-level ones. R50-FPN, frozen BN: torchvision's own float32 step run on 1 thread and
 * on 2 (only the summation order differs) disagrees on these summaries by up to 1.1e-4 (Faster),
 * 2.7e-4 (Mask) and 7.9e-4 (keypoint R-CNN), each at layer3.2.conv1; ours is within 3e-4, 3e-4
 * and 1e-3 of the fixture (torch's default here, 1 thread; keypoint measured 7.8e-4, at that parameter).
 */
const TOLERANCES: Record<TrainStepVariant, { loss: number; gradient: number }> = {
  fasterrcnn: { loss: 1e-5, gradient: GRADIENT_TOLERANCE },
  maskrcnn: { loss: 1e-5, gradient: GRADIENT_TOLERANCE },
  keypointrcnn: { loss: 1e-5, gradient: GRADIENT_TOLERANCE },
  'maskrcnn-r18-bn': { loss: 5e-5, gradient: 5e-2 },
  'maskrcnn-r18-gn': { loss: 5e-5, gradient: 5e-2 },
  'fasterrcnn-r50': { loss: 1e-5, gradient: Math.max(GRADIENT_TOLERANCE, 3e-4) },
  'maskrcnn-r50': { loss: 1e-5, gradient: Math.max(GRADIENT_TOLERANCE, 3e-4) },
  'keypointrcnn-r50': { loss: 1e-5, gradient: 1e-3 },
};

// wasm with @rcnn/train-kernels (tfjs-wasm lacks Conv2DBackpropFilter and gather's gradient, and its
// ResizeBilinearGrad, the keypoint predictor's upsampling, ignores half-pixel centres);
// the pure-JS cpu backend takes minutes for one backward pass through the backbone.
describe('GeneralizedRcnn.loss: one training step against torchvision (ResNet-FPN, every norm) [wasm]', () => {
  beforeAll(async () => {
    registerTrainingKernels({ backends: ['wasm'] });
    await useBackend('wasm');
  });

  for (const variant of VARIANTS) {
    const { loss: lossTolerance, gradient: gradientTolerance } = TOLERANCES[variant];
    it(`${variant}: every loss within ${lossTolerance}, running statistics within ${GRADIENT_TOLERANCE}, every gradient within ${gradientTolerance} (relative)`, async () => {
      const fixture = trainStepFixture(variant);
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
        for (const [what, error] of lossErrors) expect(error, what).toBeLessThan(lossTolerance);
        for (const [what, error] of statisticErrors) expect(error, what).toBeLessThan(GRADIENT_TOLERANCE);
        errors.sort((a, b) => b[1] - a[1]);
        expect(errors[0]![1], errors[0]![0]).toBeLessThan(gradientTolerance);
      } finally {
        model.dispose();
      }
    }, 300_000);
  }

  it('leaves no tensors behind over repeated training steps (mask R-CNN)', async () => {
    const fixture = trainStepFixture('maskrcnn');
    const model = trainStepModel(fixture);
    try {
      model.loadStateDict(deterministicWeightsFor(model));
      await expectNoLeaks(() => trainingStep(model, fixture), 2);
    } finally {
      model.dispose();
    }
  }, 300_000);
});
