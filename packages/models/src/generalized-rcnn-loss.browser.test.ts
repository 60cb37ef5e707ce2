import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { fetchFixtureBytes } from '@rcnn/test-utils/browser';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import fasterUrl from './__fixtures__/train-step-fasterrcnn.safetensors?url';
import keypointUrl from './__fixtures__/train-step-keypointrcnn.safetensors?url';
import maskUrl from './__fixtures__/train-step-maskrcnn.safetensors?url';
import { expectTrainStepMatches } from './test-support/train-step-check';
import { parseTrainStepFixture } from './test-support/train-step-fixture';

// webgpu trains: the Node test's training step (torchvision's fixture, its anchor and RoI draws
// replayed) on WebGPU in headless Chromium (SwiftShader): every loss, and every parameter's
// gradient (frozen-BN ResNet-18-FPN with layers 2-4 and the FPN trainable, RPN, box, mask and
// keypoint heads), as torchvision computes them. Keypoint R-CNN's predictor upsamples with
// half-pixel centres, whose gradient tfjs-webgpu 4.22 gets wrong: @rcnn/train-kernels replaces it.
// Relative. Keypoint R-CNN's worst gradients are its head's first conv (weight 1.03e-4, bias
// 9.2e-5 on SwiftShader; every other parameter within 3.3e-5, the next conv of that head among
// them; 4.9e-6 on wasm). Between the two convs lie only a ReLU and a Conv2DBackpropInput, so
// presumably (not measured) the ReLU's mask differs where webgpu's forward rounds an output near
// zero to the other sign. A wrong kernel is off by far more (tfjs-webgpu's own ResizeBilinearGrad:
// 0.65 on the resize alone).
const TOLERANCES = { loss: 1e-5, gradient: 1e-4, statistics: 1e-4 };
const KEYPOINT_TOLERANCES = { ...TOLERANCES, gradient: 2e-4 };

beforeAll(async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  expect(registerTrainingKernels({ backends: ['webgpu'] }).registered).toEqual([tf.ResizeBilinearGrad]);
});

for (const [variant, url, tolerances] of [
  ['fasterrcnn', fasterUrl, TOLERANCES],
  ['maskrcnn', maskUrl, TOLERANCES],
  ['keypointrcnn', keypointUrl, KEYPOINT_TOLERANCES],
] as const) {
  it(`${variant} R18-FPN: one training step on webgpu gives torchvision's losses and gradients (within ${tolerances.gradient})`, async () => {
    const fixture = parseTrainStepFixture(variant, await fetchFixtureBytes(url));
    const before = tf.memory().numTensors;
    expect(tf.getBackend()).toBe('webgpu');
    await expectTrainStepMatches(fixture, tolerances);
    expect(tf.memory().numTensors, 'the step leaks no tensors').toBe(before);
  }, 900_000);
}
