import { ResnetFpnBackbone } from '@rcnn/backbone-resnet-fpn';
import { type Backbone, deterministicStateDict, disposeFeatureMaps, type FeatureMaps } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { forwardInTrainingMode } from './forward-in-training-mode';

/** A small ResNet-18-FPN with trainable BatchNorm and deterministic weights (eval mode). */
function smallBackbone(): ResnetFpnBackbone {
  const backbone = new ResnetFpnBackbone({ depth: 18, baseChannels: 8, outChannels: 8, norm: 'bn' });
  backbone.loadStateDict(deterministicStateDict(backbone.stateDictShapes('backbone.')), 'backbone.');
  return backbone;
}

async function runningMean(backbone: ResnetFpnBackbone): Promise<Float32Array> {
  const [, entry] = backbone.namedEntries().find(([name]) => name === 'body.bn1.running_mean')!;
  return (await entry.variable.data()) as Float32Array;
}

const images = () => tf.randomUniform([2, 64, 64, 3], -1, 1, 'float32', 7) as tf.Tensor4D;

describeEachBackend('forwardInTrainingMode', () => {
  it('runs BatchNorm on batch statistics as a train()-mode backbone does, then restores eval mode', async () => {
    const [subject, twin] = [smallBackbone(), smallBackbone()];
    const input = images();
    let outputs: FeatureMaps[] = [];
    try {
      const before = await runningMean(subject);
      outputs = [
        forwardInTrainingMode(subject, input),
        twin.train(true).forward(input),
        twin.eval().forward(input),
      ];
      expect(subject.training).toBe(false);
      const [trained, reference, evaluated] = outputs as [FeatureMaps, FeatureMaps, FeatureMaps];
      for (const [i, level] of trained.entries()) {
        expect(maxAbsDiff(level.tensor, reference[i]!.tensor), level.name).toBe(0);
        expect(maxAbsDiff(level.tensor, evaluated[i]!.tensor), level.name).toBeGreaterThan(1e-3);
      }
      const [moved, twinMoved] = [await runningMean(subject), await runningMean(twin)];
      expect(moved).toEqual(twinMoved);
      expect(moved.some((value, i) => value !== before[i])).toBe(true);
    } finally {
      for (const levels of outputs) disposeFeatureMaps(levels);
      input.dispose();
      subject.dispose();
      twin.dispose();
    }
  });

  it('leaves a backbone already in training mode in it, runs others as they are, leaks nothing', async () => {
    const backbone = smallBackbone().train(true);
    const input = images();
    const plain: Backbone = {
      specificationVersion: 'v1',
      sizeDivisibility: 32,
      outputSpecs: () => ({}),
      forward: (x) => [{ name: 'p2', stride: 4, tensor: tf.clone(x) }],
      dispose: () => {},
    };
    try {
      await expectNoLeaks(() => disposeFeatureMaps(forwardInTrainingMode(backbone, input)), 2);
      expect(backbone.training).toBe(true);
      const [level] = forwardInTrainingMode(plain, input);
      expect(maxAbsDiff(level!.tensor, input)).toBe(0);
      level!.tensor.dispose();
    } finally {
      input.dispose();
      backbone.dispose();
    }
  });
});
