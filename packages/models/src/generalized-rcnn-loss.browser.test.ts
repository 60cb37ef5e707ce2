import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { fetchFixtureBytes } from '@rcnn/test-utils/browser';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import fasterUrl from './__fixtures__/train-step-fasterrcnn.safetensors?url';
import maskUrl from './__fixtures__/train-step-maskrcnn.safetensors?url';
import { expectTrainStepMatches } from './test-support/train-step-check';
import { parseTrainStepFixture } from './test-support/train-step-fixture';

// webgpu trains: the Node test's training step (torchvision's fixture, its anchor and RoI draws
// replayed) on WebGPU in headless Chromium (SwiftShader): every loss, and every parameter's
// gradient (frozen-BN ResNet-18-FPN with layers 2-4 and the FPN trainable, RPN, box and mask heads),
// as torchvision computes them. Keypoint R-CNN is left out: tfjs-webgpu 4.22's ResizeBilinearGrad
// (its predictor's upsampling) ignores half-pixel centres, as tfjs-cpu's does.
const TOLERANCES = { loss: 1e-5, gradient: 1e-4, statistics: 1e-4 };

beforeAll(async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
});

for (const [variant, url] of [
  ['fasterrcnn', fasterUrl],
  ['maskrcnn', maskUrl],
] as const) {
  it(`${variant} R18-FPN: one training step on webgpu gives torchvision's losses and gradients`, async () => {
    const fixture = parseTrainStepFixture(variant, await fetchFixtureBytes(url));
    const before = tf.memory().numTensors;
    expect(tf.getBackend()).toBe('webgpu');
    await expectTrainStepMatches(fixture, TOLERANCES);
    expect(tf.memory().numTensors, 'the step leaks no tensors').toBe(before);
  }, 900_000);
}
