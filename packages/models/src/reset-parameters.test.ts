import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import { expect, it } from 'vitest';
import type { GeneralizedRcnn } from './generalized-rcnn';
import { maskRcnnResnetFpn } from './presets/resnet-fpn-presets';

/** A half-width GroupNorm Mask R-CNN, as the default model (every part has a random init). */
function build(): GeneralizedRcnn {
  return maskRcnnResnetFpn({
    depth: 18,
    numClasses: 3,
    normLayer: 'gn',
    backboneBaseChannels: 32,
    fpnOutChannels: 32,
    boxRepresentationSize: 32,
    maskHeadChannels: 32,
    trainableBackboneLayers: 5,
  });
}

async function weights(model: GeneralizedRcnn): Promise<Map<string, Float32Array>> {
  const stateDict = await model.saveStateDict();
  return new Map([...stateDict].map(([name, tensor]) => [name, tensor.data as Float32Array]));
}

describeEachBackend('GeneralizedRcnn.resetParameters', () => {
  it('starts every part from the same weights for the same seed, and from other weights for another', async () => {
    const [a, b, c] = [build(), build(), build()];
    try {
      const before = await weights(a);
      a.resetParameters(3);
      b.resetParameters(3);
      c.resetParameters(4);
      const [wa, wb, wc] = [await weights(a), await weights(b), await weights(c)];
      expect([...wa.keys()]).toEqual([...before.keys()]);
      for (const [name, value] of wa) {
        expect(wb.get(name), name).toEqual(value);
        const random = value.some((v) => v !== value[0]);
        // Random entries (convs, linears of every part) move; constant ones (norms, biases) stay.
        if (random) {
          expect(wc.get(name), name).not.toEqual(value);
          expect(before.get(name), name).not.toEqual(value);
        } else expect(wc.get(name), name).toEqual(value);
      }
      const randomParts = new Set(
        [...wa]
          .filter(([, v]) => v.some((x) => x !== v[0]))
          .map(([name]) => name.split('.').slice(0, 2).join('.')),
      );
      for (const part of [
        'backbone.body',
        'backbone.fpn',
        'rpn.head',
        'roi_heads.box_head',
        'roi_heads.box_predictor',
        'roi_heads.mask_head',
        'roi_heads.mask_predictor',
      ]) {
        expect(randomParts, part).toContain(part);
      }
    } finally {
      for (const model of [a, b, c]) model.dispose();
    }
  }, 60_000);

  it('leaves no tensors behind', async () => {
    const model = build();
    await expectNoLeaks(() => model.resetParameters(1), 2);
    model.dispose();
  }, 60_000);
});
