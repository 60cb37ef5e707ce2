import '@tensorflow/tfjs-core/dist/register_all_gradients';
import './test-support/yield-between-tests';
import { expectNoLeaks, useBackend } from '@rcnn/test-utils';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import { beforeAll, describe, it } from 'vitest';
import { deterministicWeightsFor } from './deterministic-weights-for';
import { expectTrainStepMatches, trainingStep } from './test-support/train-step-check';
import { type TrainStepVariant, trainStepModel } from './test-support/train-step-fixture';
import { trainStepFixture } from './test-support/train-step-fixture-file';

/**
 * Relative. With oneDNN serving the convolutions (CI's native pass, RCNN_NATIVE_KERNELS=1) the
 * weight gradients are summed in another order; measured worst 3.2e-4 (the mask head's first
 * conv, a gradient summed over every positive RoI's 14x14 positions), so that pass allows 1e-3.
 */
const GRADIENT_TOLERANCE = process.env.RCNN_NATIVE_KERNELS === '1' ? 1e-3 : 1e-4;

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
 * step is ill-conditioned (tools/reference/train_step_spread.py, torch's own step with proposals
 * and draws replayed): moving every input pixel by up to 1e-6 of itself moves torch's gradients by
 * up to 1.0e-2 (BatchNorm) and 2.2e-2 (GroupNorm), against 3.8e-6 with frozen BN; torch with its
 * own convolutions instead of oneDNN's disagrees with itself by 6.9e-5 and 2.2e-2 (frozen BN:
 * 6.2e-6). Measured here: BatchNorm losses 9.2e-6, running statistics 4.5e-5, gradients 1.4e-2;
 * GroupNorm losses 1.2e-5, gradients 3.8e-3. The end-to-end check catches structural errors (a wrong
 * norm backward is O(1) off); the layers' own arithmetic is checked within 1e-5 against torch on
 * a well-conditioned input (packages/core/src/nn/layers.test.ts: bn_train, group_norm). R50-FPN, frozen BN: torchvision's own float32 step run on 1 thread and
 * on 2 (only the summation order differs) disagrees on these summaries by up to 1.1e-4 (Faster),
 * 2.7e-4 (Mask) and 7.9e-4 (keypoint R-CNN), each at layer3.2.conv1; ours is within 3e-4, 3e-4
 * and 1e-3 of the fixture (torch's default here, 1 thread; keypoint measured 7.8e-4, at that parameter;
 * with the native kernels, which sum as torch's oneDNN does: Mask 4.3e-5, keypoint 8.9e-6).
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
      await expectTrainStepMatches(trainStepFixture(variant), {
        loss: lossTolerance,
        gradient: gradientTolerance,
        statistics: GRADIENT_TOLERANCE,
      });
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
