import '@tensorflow/tfjs-backend-webgpu';
import { deterministicStateDict, deterministicTensor, disposeFeatureMaps, readSafetensors } from '@rcnn/core';
import { fetchFixtureBytes, relativeError } from '@rcnn/test-utils/browser';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import resnet18AlignedUrl from './__fixtures__/resnet18-aligned.safetensors?url';
import { resnetFpnParameterShapes } from './parameter-shapes';
import { resnetFpnBackbone } from './resnet-fpn-backbone';

// The same torchvision fixture the Node tests use (tools/reference/gen_backbone.py: ResNet-18-FPN,
// deterministic weights, a 32x32 input), run on WebGPU in headless Chromium (SwiftShader).
it('ResNet-18-FPN on webgpu matches torchvision on every level within 1e-4 relative error', async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  const fixture = readSafetensors(await fetchFixtureBytes(resnet18AlignedUrl));
  const [height, width] = JSON.parse(fixture.metadata.imageSize!) as [number, number];
  const images = tf.tidy(() =>
    tf.transpose(
      tf.tensor4d(deterministicTensor(fixture.metadata.inputKey!, [1, 3, height, width]), [
        1,
        3,
        height,
        width,
      ]),
      [0, 2, 3, 1],
    ),
  ) as tf.Tensor4D;
  // Counted around the backbone's whole life: the first forward caches its folded filters.
  const before = tf.memory().numTensors;
  const backbone = resnetFpnBackbone(
    deterministicStateDict(resnetFpnParameterShapes({ depth: 18 }, 'backbone.')),
    {
      depth: 18,
    },
  );
  const features = backbone.forward(images);
  try {
    expect(features.map((level) => level.name)).toEqual(['p2', 'p3', 'p4', 'p5', 'p6']);
    for (const level of features) {
      const expected = fixture.tensors.get(level.name)!;
      expect(level.tensor.shape, level.name).toEqual(expected.shape);
      // async read: a synchronous read can lose the SwiftShader device
      expect(relativeError(await level.tensor.data(), expected.data), level.name).toBeLessThan(1e-4);
    }
  } finally {
    disposeFeatureMaps(features);
  }
  backbone.dispose();
  expect(tf.memory().numTensors, 'forward leaks no tensors').toBe(before);
  images.dispose();
});
