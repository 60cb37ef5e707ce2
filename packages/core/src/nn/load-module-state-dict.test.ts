import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { deterministicStateDict } from '../weights/deterministic-weights';
import type { StateDict } from '../weights/state-dict';
import { Conv2d } from './conv2d';
import { loadModuleStateDict, type ModuleStateDictMessages } from './load-module-state-dict';
import { ModuleDict } from './module-dict';

/** `head.conv` (older name `head.old_conv`) and `head.cls`, as a head's `layers`. */
function layers(): ModuleDict {
  return new ModuleDict([
    ['conv', new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1 }), ['old_conv']],
    ['cls', new Conv2d({ inChannels: 3, outChannels: 1, kernelSize: 1 })],
  ]);
}

const messages: ModuleStateDictMessages = {
  owner: 'TestHead',
  misShaped: (bad) =>
    `${bad.key} is ${bad.dtype} [${bad.shape.join(', ')}], not [${bad.expected.join(', ')}]`,
};

function weights(module: ModuleDict): StateDict {
  return deterministicStateDict(module.stateDictShapes('head.'));
}

function thrown(load: () => unknown): RcnnError {
  try {
    load();
  } catch (caught) {
    return caught as RcnnError;
  }
  throw new Error('expected a throw');
}

describeEachBackend('loadModuleStateDict', () => {
  it('loads every entry exactly (also under an older name), ignoring keys outside the prefix', async () => {
    const module = layers();
    const dict = weights(module);
    const expected = new Map(dict);
    dict.set('head.old_conv.weight', dict.get('head.conv.weight')!);
    dict.delete('head.conv.weight');
    dict.set('other.weight', { dtype: 'float32', shape: [1], data: new Float32Array([1]) });
    expect(loadModuleStateDict(module, dict, 'head.', {}, messages)).toEqual({
      missingKeys: [],
      unexpectedKeys: [],
    });
    const saved = await module.saveStateDict('head.');
    expect([...saved.keys()]).toEqual([...expected.keys()]);
    for (const [name, entry] of saved)
      expect(Array.from(entry.data)).toEqual(Array.from(expected.get(name)!.data));
    module.dispose();
  });

  it('strict: missing and unexpected keys throw MISSING_KEYS in one line and assign nothing', async () => {
    const module = layers();
    const before = await module.saveStateDict('head.');
    const dict = weights(module);
    dict.delete('head.cls.bias');
    dict.set('head.extra', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    const error = thrown(() => loadModuleStateDict(module, dict, 'head.', {}, messages));
    expect(error).toBeInstanceOf(RcnnError);
    expect(error.code).toBe('MISSING_KEYS');
    expect(error.message).toBe(
      "TestHead.loadStateDict(prefix 'head.'): missing [head.cls.bias], unexpected [head.extra]",
    );
    const after = await module.saveStateDict('head.');
    for (const [name, entry] of after)
      expect(Array.from(entry.data)).toEqual(Array.from(before.get(name)!.data));
    expect(loadModuleStateDict(module, dict, 'head.', { strict: false }, messages)).toEqual({
      missingKeys: ['head.cls.bias'],
      unexpectedKeys: ['head.extra'],
    });
    const loaded = await module.saveStateDict('head.');
    expect(Array.from(loaded.get('head.cls.weight')!.data)).toEqual(
      Array.from(dict.get('head.cls.weight')!.data),
    );
    expect(Array.from(loaded.get('head.cls.bias')!.data)).toEqual(
      Array.from(before.get('head.cls.bias')!.data),
    );
    module.dispose();
  });

  it("mis-shaped entries throw INVALID_WEIGHTS worded by the owner's function, strict or not", () => {
    const module = layers();
    const dict = weights(module);
    dict.set('head.cls.weight', { dtype: 'float32', shape: [1, 3], data: new Float32Array(3) });
    for (const strict of [true, false]) {
      const error = thrown(() => loadModuleStateDict(module, dict, 'head.', { strict }, messages));
      expect(error.code).toBe('INVALID_WEIGHTS');
      expect(error.message).toBe('head.cls.weight is float32 [1, 3], not [1, 3, 1, 1]');
    }
    expect(thrown(() => loadModuleStateDict(module, dict, 'head', {}, messages)).code).toBe(
      'INVALID_ARGUMENT',
    );
    module.dispose();
  });

  it('load and dispose leak nothing', async () => {
    await expectNoLeaks(() => {
      const module = layers();
      loadModuleStateDict(module, weights(module), 'head.', {}, messages);
      module.dispose();
    });
  });
}, ['cpu']);
