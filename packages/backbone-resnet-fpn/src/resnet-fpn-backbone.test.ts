import { disposeFeatureMaps } from '@rcnn/core';
import { describeEachBackend, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { deterministicBackboneWeights, fixtureImages, readFixture } from '../test/fixture-cases';
import { resnetFpnBackbone } from './resnet-fpn-backbone';

const LEVELS = ['p2', 'p3', 'p4', 'p5', 'p6'] as const;

for (const depth of [18, 50] as const) {
  describeEachBackend(`ResNet-${depth}-FPN parity with torchvision resnet_fpn_backbone`, () => {
    for (const name of ['aligned', 'padded']) {
      it(`matches every level on the ${name} input within 1e-4`, () => {
        const t0 = performance.now();
        const backbone = resnetFpnBackbone(deterministicBackboneWeights({ depth }), { depth });
        const t1 = performance.now();
        const fixture = readFixture(`resnet${depth}-${name}.safetensors`);
        const images = fixtureImages(fixture);
        const features = backbone.forward(images);
        const t2 = performance.now();
        try {
          expect(features.map((level) => level.name)).toEqual(LEVELS);
          for (const level of features) {
            const expected = fixture.tensors.get(level.name)!;
            expect(level.tensor.shape, level.name).toEqual(expected.shape);
            const error = relativeError(level.tensor, expected.data);
            console.log(depth, name, level.name, error.toExponential(2));
            expect(error, level.name).toBeLessThan(1e-4);
          }
        } finally {
          console.log('load ms', t1 - t0, 'forward ms', t2 - t1);
          disposeFeatureMaps(features);
          images.dispose();
          backbone.dispose();
        }
      });
    }
  });
}
