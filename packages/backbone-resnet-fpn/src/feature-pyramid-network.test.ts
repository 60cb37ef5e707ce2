import { RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deterministicBackboneWeights, readFixture } from '../test/fixture-cases';
import { FeaturePyramidNetwork } from './feature-pyramid-network';

// Stage parity: given torchvision's body outputs C2..C5, ours must give torchvision's P2..P6.
const fixture = readFixture('resnet18-aligned.safetensors');

function bodyOutputs(): tf.Tensor4D[] {
  return ['c2', 'c3', 'c4', 'c5'].map((name) => {
    const entry = fixture.tensors.get(name)!;
    return tf.tensor4d(entry.data as Float32Array, entry.shape as [number, number, number, number]);
  });
}

describeEachBackend(
  'FeaturePyramidNetwork parity with torchvision FeaturePyramidNetwork + LastLevelMaxPool',
  () => {
    let fpn: FeaturePyramidNetwork;
    beforeAll(() => {
      fpn = new FeaturePyramidNetwork([64, 128, 256, 512], 256, 'maxpool');
      const report = fpn.loadStateDict(deterministicBackboneWeights({ depth: 18 }), 'backbone.fpn.', {
        strict: false,
      });
      expect(report.missingKeys).toEqual([]);
    });
    afterAll(() => fpn.dispose());

    it('maps torchvision C2..C5 to P2..P6 within 1e-5 relative error', () => {
      const inputs = bodyOutputs();
      const outputs = fpn.forward(inputs);
      expect(outputs).toHaveLength(5);
      outputs.forEach((output, i) => {
        const expected = fixture.tensors.get(`p${i + 2}`)!;
        expect(output.shape).toEqual(expected.shape);
        expect(relativeError(output, expected.data), `p${i + 2}`).toBeLessThan(1e-5);
      });
      expect(inputs.every((input) => !input.isDisposed)).toBe(true);
      tf.dispose([...inputs, ...outputs]);
    });

    it('rejects a wrong number of levels or channels with RcnnError', () => {
      const inputs = bodyOutputs();
      expect(() => fpn.forward(inputs.slice(1))).toThrow(RcnnError);
      expect(() => fpn.forward([inputs[1]!, inputs[1]!, inputs[2]!, inputs[3]!])).toThrow(
        /level 0 expects \[B, H, W, 64\]/,
      );
      tf.dispose(inputs);
    });

    it('does not leak tensors', async () => {
      const inputs = bodyOutputs();
      await expectNoLeaks(() => tf.dispose(fpn.forward(inputs)));
      tf.dispose(inputs);
    });
  },
);
