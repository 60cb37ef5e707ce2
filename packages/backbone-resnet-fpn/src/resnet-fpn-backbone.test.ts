import { disposeFeatureMaps, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, expectTensorsClose, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deterministicBackboneWeights, fixtureImages, readFixture } from '../test/fixture-cases';
import { resnetFpnParameterShapes } from './parameter-shapes';
import type { ResnetVariant } from './resnet-architecture';
import { type ResnetFpnBackbone, resnetFpnBackbone } from './resnet-fpn-backbone';

const LEVELS = ['p2', 'p3', 'p4', 'p5', 'p6'];

/** Each fixture written by tools/reference/gen_backbone.py, with the variant it was built from. */
const PARITY_CASES: [string, ResnetVariant, string][] = [
  ['resnet18', { depth: 18 }, 'aligned'],
  ['resnet18', { depth: 18 }, 'padded'],
  ['resnet50', { depth: 50 }, 'aligned'],
  ['resnet50', { depth: 50 }, 'padded'],
  ['resnext50_32x4d', { depth: 50, groups: 32, widthPerGroup: 4 }, 'aligned'],
];

describeEachBackend('resnetFpnBackbone parity with torchvision resnet_fpn_backbone', () => {
  for (const [arch, variant, name] of PARITY_CASES) {
    it(`${arch} matches P2..P6 on the ${name} input within 1e-4 relative error`, () => {
      const backbone = resnetFpnBackbone(deterministicBackboneWeights(variant), variant);
      const fixture = readFixture(`${arch}-${name}.safetensors`);
      const images = fixtureImages(fixture);
      const features = backbone.forward(images);
      try {
        expect(features.map((level) => level.name)).toEqual(LEVELS);
        expect(features.map((level) => level.stride)).toEqual([4, 8, 16, 32, 64]);
        for (const level of features) {
          const expected = fixture.tensors.get(level.name)!;
          expect(level.tensor.shape, level.name).toEqual(expected.shape);
          expect(relativeError(level.tensor, expected.data), level.name).toBeLessThan(1e-4);
        }
      } finally {
        disposeFeatureMaps(features);
        images.dispose();
        backbone.dispose();
      }
    });
  }
});

describeEachBackend('resnetFpnBackbone options and checkpoint naming', () => {
  it('matches torchvision BackboneWithFPN(resnet18, layers 2..4, 64 channels) within 1e-4', () => {
    const fixture = readFixture('custom-fpn.safetensors');
    const options = { depth: 18, returnedLayers: [2, 3, 4], outChannels: 64 } as const;
    const torchShapes = JSON.parse(fixture.metadata.parameterShapes!) as [string, number[]][];
    expect(resnetFpnParameterShapes(options).map(([name, shape]) => [name, [...shape]])).toEqual(torchShapes);
    const backbone = resnetFpnBackbone(deterministicBackboneWeights(options), options);
    expect(backbone.outputSpecs()).toEqual({
      p3: { channels: 64, stride: 8 },
      p4: { channels: 64, stride: 16 },
      p5: { channels: 64, stride: 32 },
      p6: { channels: 64, stride: 64 },
    });
    const images = fixtureImages(fixture);
    const features = backbone.forward(images);
    expect(features.map((level) => level.name)).toEqual(['p3', 'p4', 'p5', 'p6']);
    for (const level of features) {
      const expected = fixture.tensors.get(level.name)!;
      expect(level.tensor.shape).toEqual(expected.shape);
      expect(relativeError(level.tensor, expected.data), level.name).toBeLessThan(1e-4);
    }
    disposeFeatureMaps(features);
    images.dispose();
    backbone.dispose();
  });

  it('loads the pre-0.13 FPN naming to the same outputs, and omits P6 without extra blocks', () => {
    const fixture = readFixture('resnet18-aligned.safetensors');
    const weights = deterministicBackboneWeights({ depth: 18 });
    const legacy = new Map(
      [...weights].map(([name, value]) => [
        name.replace(/(fpn\.(inner|layer)_blocks\.\d+)\.0\./, '$1.'),
        value,
      ]),
    );
    expect(legacy.has('backbone.fpn.layer_blocks.3.weight')).toBe(true);
    const backbone = resnetFpnBackbone(legacy, { depth: 18, extraBlocks: 'none' });
    expect(Object.keys(backbone.outputSpecs())).toEqual(['p2', 'p3', 'p4', 'p5']);
    const images = fixtureImages(fixture);
    const features = backbone.forward(images);
    expect(features.map((level) => level.name)).toEqual(['p2', 'p3', 'p4', 'p5']);
    for (const level of features) {
      expect(relativeError(level.tensor, fixture.tensors.get(level.name)!.data), level.name).toBeLessThan(
        1e-4,
      );
    }
    disposeFeatureMaps(features);
    images.dispose();
    backbone.dispose();
  });

  it('reads weights under any prefix and ignores the rest of a detector checkpoint', () => {
    const weights = deterministicBackboneWeights({ depth: 18 }, 'model.backbone.');
    weights.set('model.rpn.head.conv.0.0.weight', {
      dtype: 'float32',
      shape: [1],
      data: new Float32Array(1),
    });
    const backbone = resnetFpnBackbone(weights, { depth: 18, prefix: 'model.backbone.' });
    backbone.dispose();
    expect(() => resnetFpnBackbone(weights, { depth: 18 })).toThrow(RcnnError);
    expect(() => resnetFpnBackbone(weights, { depth: 34, prefix: 'model.backbone.' })).toThrow(/missing/);
  });
});

describeEachBackend('ResnetFpnBackbone', () => {
  let backbone: ResnetFpnBackbone;
  beforeAll(() => {
    backbone = resnetFpnBackbone(deterministicBackboneWeights({ depth: 18 }), { depth: 18 });
  });
  afterAll(() => backbone.dispose());

  it('implements core Backbone v1 with declared specs', () => {
    expect(backbone.specificationVersion).toBe('v1');
    expect(backbone.sizeDivisibility).toBe(32);
    expect(backbone.outputSpecs()).toEqual({
      p2: { channels: 256, stride: 4 },
      p3: { channels: 256, stride: 8 },
      p4: { channels: 256, stride: 16 },
      p5: { channels: 256, stride: 32 },
      p6: { channels: 256, stride: 64 },
    });
    expect(backbone.trainableStages).toEqual(['layer4', 'layer3', 'layer2']);
  });

  it('processes a batch image by image (batch of 2 equals two single forwards)', () => {
    const first = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const second = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    const batch = tf.concat([first, second]);
    const together = backbone.forward(batch);
    const alone = backbone.forward(second);
    try {
      together.forEach((level, i) => {
        const [, height, width, channels] = level.tensor.shape;
        const secondOfBatch = tf.slice(level.tensor, [1, 0, 0, 0], [1, height, width, channels]);
        expectTensorsClose(secondOfBatch, alone[i]!.tensor, { atol: 1e-5, rtol: 1e-4 });
        secondOfBatch.dispose();
      });
    } finally {
      disposeFeatureMaps(together);
      disposeFeatureMaps(alone);
      tf.dispose([first, second, batch]);
    }
  });

  it('gives ceil(size / stride) levels for sizes that are not multiples of 32', () => {
    const images = tf.zeros([1, 45, 70, 3]) as tf.Tensor4D;
    const features = backbone.forward(images);
    expect(features.map((level) => level.tensor.shape.slice(1, 3))).toEqual([
      [12, 18],
      [6, 9],
      [3, 5],
      [2, 3],
      [1, 2],
    ]);
    disposeFeatureMaps(features);
    images.dispose();
  });

  it('does not leak tensors in forward', async () => {
    const images = tf.randomUniform([1, 32, 32, 3]) as tf.Tensor4D;
    await expectNoLeaks(() => disposeFeatureMaps(backbone.forward(images)));
    expect(images.isDisposed).toBe(false);
    images.dispose();
  });

  it('rejects inputs that are not float32 NHWC RGB with RcnnError', () => {
    const nchw = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    const integers = tf.zeros([1, 32, 32, 3], 'int32') as tf.Tensor4D;
    const empty = tf.zeros([0, 32, 32, 3]) as tf.Tensor4D;
    for (const images of [nchw, integers, empty]) {
      expect(() => backbone.forward(images)).toThrow(RcnnError);
      expect(() => backbone.forward(images)).toThrow(/INVALID_SHAPE|\[B, H, W, 3\]|non-empty/);
    }
    tf.dispose([nchw, integers, empty]);
  });
});

describeEachBackend('resnetFpnBackbone lifecycle', () => {
  it('frees every weight tensor on dispose and refuses to run afterwards', () => {
    const before = tf.memory().numTensors;
    const backbone = resnetFpnBackbone(deterministicBackboneWeights({ depth: 18 }), { depth: 18 });
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    backbone.dispose();
    backbone.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const images = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    expect(() => backbone.forward(images)).toThrow(/disposed/);
    images.dispose();
  });

  it('checks every entry before creating any tensor', () => {
    const weights = deterministicBackboneWeights({ depth: 18 });
    const before = tf.memory().numTensors;
    const conv = weights.get('backbone.fpn.layer_blocks.3.0.weight')!;
    weights.set('backbone.fpn.layer_blocks.3.0.weight', {
      ...conv,
      data: conv.data.subarray(1) as Float32Array,
    });
    expect(() => resnetFpnBackbone(weights, { depth: 18 })).toThrow(/layer_blocks\.3\.0\.weight: holds/);
    expect(tf.memory().numTensors).toBe(before);
  });
}, ['cpu']);
