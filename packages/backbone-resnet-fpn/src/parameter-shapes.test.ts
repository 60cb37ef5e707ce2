import { disposeFeatureMaps, RcnnError } from '@rcnn/core';
import { describeEachBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { deterministicBackboneWeights, readParameterShapes } from '../test/fixture-cases';
import { resnetFpnParameterShapes } from './parameter-shapes';
import type { ResnetVariant } from './resnet-architecture';
import { resnetFpnBackbone } from './resnet-fpn-backbone';
import type { ResnetFpnOptions } from './resnet-fpn-options';

/** torchvision's state_dict of resnet_fpn_backbone(...) per architecture (tools/reference/gen_backbone.py). */
const TORCHVISION = readParameterShapes();

const ARCHITECTURES: [string, ResnetFpnOptions][] = [
  ['resnet18', { depth: 18 }],
  ['resnet34', { depth: 34 }],
  ['resnet50', { depth: 50 }],
  ['resnet101', { depth: 101 }],
  ['resnext50_32x4d', { depth: 50, groups: 32, widthPerGroup: 4 }],
  ['resnet50-returned-2-3-4', { depth: 50, returnedLayers: [2, 3, 4] }],
];

describe('resnetFpnParameterShapes', () => {
  for (const [name, options] of ARCHITECTURES) {
    it(`lists torchvision's ${name} state_dict names, shapes and order`, () => {
      const ours = resnetFpnParameterShapes(options).map(([key, shape]) => [key, [...shape]]);
      expect(ours.length).toBe(TORCHVISION[name]!.length);
      expect(ours).toEqual(TORCHVISION[name]);
    });
  }

  it('applies the prefix to every name', () => {
    const names = resnetFpnParameterShapes({ depth: 18 }, '').map(([key]) => key);
    expect(names[0]).toBe('body.conv1.weight');
    expect(names.at(-1)).toBe('fpn.layer_blocks.3.0.bias');
  });

  it('rejects settings torchvision rejects', () => {
    const bad: ResnetFpnOptions[] = [
      { depth: 152 as ResnetVariant['depth'] },
      { depth: 18, groups: 32, widthPerGroup: 4 },
      { depth: 50, returnedLayers: [0, 1] },
      { depth: 50, returnedLayers: [3, 2] },
      { depth: 50, returnedLayers: [] },
      { depth: 50, trainableLayers: 6 },
      { depth: 50, outChannels: 0 },
    ];
    for (const options of bad) {
      expect(() => resnetFpnParameterShapes(options), JSON.stringify(options)).toThrow(RcnnError);
    }
  });
});

describeEachBackend('ResNet-34 and ResNet-101 construction', () => {
  for (const depth of [34, 101] as const) {
    it(`loads ResNet-${depth}-FPN from its torchvision key list and runs a tiny input`, () => {
      const backbone = resnetFpnBackbone(deterministicBackboneWeights({ depth }), { depth });
      const images = tf.randomUniform([1, 64, 32, 3]) as tf.Tensor4D;
      const features = backbone.forward(images);
      try {
        expect(features.map((level) => [level.name, ...level.tensor.shape])).toEqual([
          ['p2', 1, 16, 8, 256],
          ['p3', 1, 8, 4, 256],
          ['p4', 1, 4, 2, 256],
          ['p5', 1, 2, 1, 256],
          ['p6', 1, 1, 1, 256],
        ]);
        const blocks = backbone.body.layers.map((layer) => layer.length);
        expect(blocks).toEqual(depth === 34 ? [3, 4, 6, 3] : [3, 4, 23, 3]);
      } finally {
        disposeFeatureMaps(features);
        images.dispose();
        backbone.dispose();
      }
    });
  }
}, ['wasm']);
