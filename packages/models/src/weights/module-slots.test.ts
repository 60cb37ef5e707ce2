import { deterministicStateDict } from '@rcnn/core';
import { MaskIouHead, TwoMlpHead } from '@rcnn/heads';
import { RpnHead } from '@rcnn/rpn';
import { describeEachBackend } from '@rcnn/test-utils';
import { expect, it } from 'vitest';
import { headModuleSlot, rpnHeadSlot } from './module-slots';

describeEachBackend('weight slots', () => {
  it('heads modules with flattened inputs (TwoMlpHead fc6, MaskIouHead fc1) save what they loaded', async () => {
    const modules = [
      new TwoMlpHead({ inChannels: 3, resolution: [2, 3], representationSize: 4 }),
      new MaskIouHead({ inChannels: 2, resolution: 4, convChannels: 3, fcSize: 5, numClasses: 3 }),
    ];
    for (const module of modules) {
      const slot = headModuleSlot(module);
      const weights = deterministicStateDict(slot.expectedEntries().map((e) => [e.name, e.shape]));
      slot.load(weights, true);
      const saved = await slot.save();
      for (const [name, entry] of weights)
        expect(Array.from(saved.get(name)!.data), name).toEqual(Array.from(entry.data));
      module.dispose();
    }
  });

  it('RPN head: complete and partial loads, then save', async () => {
    const head = new RpnHead({ inChannels: 4, numAnchors: 3 });
    const slot = rpnHeadSlot(head);
    expect(slot.expectedEntries()[0]).toEqual({
      name: 'rpn.head.conv.0.0.weight',
      shape: [4, 4, 3, 3],
      aliases: ['rpn.head.conv.weight'],
    });
    const weights = deterministicStateDict(slot.expectedEntries().map((e) => [e.name, e.shape]));
    slot.load(weights, true);
    const other = deterministicStateDict(slot.expectedEntries().map((e) => [`${e.name}.other`, e.shape]));
    const partial = new Map([['rpn.head.bbox_pred.weight', other.get('rpn.head.bbox_pred.weight.other')!]]);
    slot.load(partial, false);
    const saved = await slot.save();
    for (const [name, entry] of weights) {
      const expected = name === 'rpn.head.bbox_pred.weight' ? partial.get(name)! : entry;
      expect(Array.from(saved.get(name)!.data), name).toEqual(Array.from(expected.data));
    }
    head.dispose();
  });
});
