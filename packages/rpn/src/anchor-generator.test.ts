import { RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeFeatures, fixtureBatch, fixtureFeatures, rpnFixture } from '../test/rpn-fixture';
import { AnchorGenerator } from './anchor-generator';

describe('AnchorGenerator (host arithmetic)', () => {
  it('reproduces torchvision cell anchors exactly', () => {
    const fixture = rpnFixture();
    const generator = new AnchorGenerator();
    generator.cellAnchors.forEach((cell, level) => {
      expect(Array.from(cell)).toEqual(Array.from(fixture.floats(`cellAnchors/${level}`)));
    });
  });

  it('rounds half to even like torch.round', () => {
    // size 5, ratio 1: half side 2.5 -> 2 (torch), not 3 (Math.round); size 3: 1.5 -> 2
    const generator = new AnchorGenerator({ sizes: [[5, 3]], aspectRatios: [[1]] });
    expect(Array.from(generator.cellAnchors[0]!)).toEqual([-2, -2, 2, 2, -2, -2, 2, 2]);
  });

  it('gives 65,472 anchors for a 512x512 input on P2..P6', () => {
    const generator = new AnchorGenerator();
    const grids: [number, number][] = [128, 64, 32, 16, 8].map((g) => [g, g]);
    const data = generator.anchorData([512, 512], grids);
    expect(data.length / 4).toBe(65_472);
    expect(generator.numAnchorsPerLevel(grids)).toEqual([49_152, 12_288, 3_072, 768, 192]);
    // last anchor: P6 cell (7, 7) at stride 64, ratio 2 (tall), size 512
    expect(Array.from(data.subarray(data.length - 4))).toEqual([448 - 181, 448 - 362, 448 + 181, 448 + 362]);
  });

  it('rejects a level count that does not match and bad sizes', () => {
    const generator = new AnchorGenerator();
    expect(() => generator.anchorData([64, 64], [[16, 16]])).toThrow(RcnnError);
    expect(() => generator.anchorData([64, 64], Array(5).fill([0, 4]))).toThrow(/positive integer/);
    expect(() => new AnchorGenerator({ sizes: [[32]], aspectRatios: [[1], [2]] })).toThrow(RcnnError);
    expect(() => new AnchorGenerator({ sizes: [[-1]], aspectRatios: [[1]] })).toThrow(RcnnError);
  });
});

describeEachBackend('AnchorGenerator', () => {
  it('matches torchvision anchors exactly on the fixture pyramid (p6 stride 48x64)', async () => {
    const fixture = rpnFixture();
    const batch = fixtureBatch();
    const features = fixtureFeatures();
    const anchors = new AnchorGenerator().forFeatures(batch, features);
    expect(anchors.shape).toEqual(fixture.shape('anchors'));
    expect(Array.from(await anchors.data())).toEqual(Array.from(fixture.floats('anchors')));
    anchors.dispose();
    batch.tensor.dispose();
    disposeFeatures(features);
  });

  it('does not leak', async () => {
    const generator = new AnchorGenerator();
    const batch = fixtureBatch();
    const features = fixtureFeatures();
    await expectNoLeaks(() => {
      generator.forFeatures(batch, features).dispose();
      generator
        .generate(
          [64, 96],
          [
            [16, 24],
            [8, 12],
            [4, 6],
            [2, 3],
            [1, 2],
          ],
        )
        .dispose();
    });
    expect(tf.memory().numTensors).toBeGreaterThan(0);
    batch.tensor.dispose();
    disposeFeatures(features);
  });
});
