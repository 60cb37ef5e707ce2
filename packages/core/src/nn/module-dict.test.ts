import { describeEachBackend } from '@rcnn/test-utils';
import { expect, it } from 'vitest';
import { deterministicStateDict } from '../weights/deterministic-weights';
import { Conv2d } from './conv2d';
import { Linear } from './linear';
import { matchEntries } from './load-state-dict';
import { ModuleDict } from './module-dict';

/** torchvision's RPNHead names: `conv.0.0` (older `conv` for one layer), then `cls_logits`. */
const build = () =>
  new ModuleDict([
    ['conv.0.0', new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, padding: 1 }), ['conv']],
    ['cls_logits', new Linear({ inFeatures: 2, outFeatures: 3 })],
  ]);

describeEachBackend('ModuleDict and matchEntries', () => {
  it('names children as given (dots stand for nested containers), with their older names', () => {
    const dict = build();
    expect(
      dict.expectedEntries('rpn.head.').map(({ name, shape, aliases }) => ({ name, shape, aliases })),
    ).toEqual([
      { name: 'rpn.head.conv.0.0.weight', shape: [2, 2, 3, 3], aliases: ['rpn.head.conv.weight'] },
      { name: 'rpn.head.conv.0.0.bias', shape: [2], aliases: ['rpn.head.conv.bias'] },
      { name: 'rpn.head.cls_logits.weight', shape: [3, 2], aliases: [] },
      { name: 'rpn.head.cls_logits.bias', shape: [3], aliases: [] },
    ]);
    dict.dispose();
  });

  it('matchEntries reports found, missing, unexpected and mis-shaped entries and assigns nothing', async () => {
    const dict = build();
    const before = Array.from(await dict.namedEntries()[0]![1].variable.data());
    const weights = deterministicStateDict([
      ['p.conv.weight', [2, 2, 3, 3]],
      ['p.cls_logits.weight', [3, 3]],
      ['p.extra', [1]],
      ['other.conv.bias', [2]],
    ]);
    const match = matchEntries(dict.expectedEntries('p.'), weights, 'p.');
    expect(match.found.map(([entry]) => entry.name)).toEqual(['weight']);
    expect(match.missingKeys).toEqual(['p.conv.0.0.bias', 'p.cls_logits.bias']);
    expect(match.unexpectedKeys).toEqual(['p.extra']);
    expect(match.misShaped).toEqual([
      { key: 'p.cls_logits.weight', expected: [3, 2], dtype: 'float32', shape: [3, 3], length: 9 },
    ]);
    expect(Array.from(await dict.namedEntries()[0]![1].variable.data())).toEqual(before);
    expect(() => matchEntries([], weights, 'p')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    dict.dispose();
  });
}, ['cpu']);
