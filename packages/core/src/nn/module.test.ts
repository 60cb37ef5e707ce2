import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import { expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { deterministicStateDict } from '../weights/deterministic-weights';
import type { StateDict } from '../weights/state-dict';
import { BatchNorm2d } from './batch-norm-2d';
import { Conv2d } from './conv2d';
import { GroupNorm } from './group-norm';
import { Module } from './module';

/** A Sequential-like container: children named `0`, `1`, ... */
class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    for (const [i, module] of modules.entries()) this.addModule(String(i), module);
  }
}

/** torchvision-like nesting: `stem.0` conv (older name `stem.0.old_weight`), `stem.1` BN, `head` GN. */
class Net extends Module {
  readonly conv = new Conv2d({
    inChannels: 3,
    outChannels: 4,
    kernelSize: 3,
    padding: 1,
    weightAliases: ['old_weight'],
  });
  constructor() {
    super();
    this.addModule('stem', new Sequential(this.conv, new BatchNorm2d(4)));
    this.addModule('head', new GroupNorm(2, 4));
  }
}

const NAMES = [
  'net.stem.0.weight',
  'net.stem.0.bias',
  'net.stem.1.weight',
  'net.stem.1.bias',
  'net.stem.1.running_mean',
  'net.stem.1.running_var',
  'net.head.weight',
  'net.head.bias',
];

function weights(net: Module): StateDict {
  return deterministicStateDict(net.stateDictShapes('net.'));
}

describeEachBackend('Module', () => {
  it('names entries as torch state_dict does (own entries, then children in order)', () => {
    const net = new Net();
    expect(net.stateDictShapes('net.').map(([name]) => name)).toEqual(NAMES);
    expect(net.stateDictShapes('net.')[0]![1]).toEqual([4, 3, 3, 3]);
    expect(net.namedParameters('net.').map(([name]) => name)).toEqual(
      NAMES.filter((n) => !n.includes('running')),
    );
    net.dispose();
  });

  it('loads and saves a state_dict exactly (torch layout round trip)', async () => {
    const net = new Net();
    const dict = weights(net);
    dict.set('net.stem.1.num_batches_tracked', { dtype: 'int32', shape: [], data: new Int32Array([7]) });
    dict.set('other.weight', { dtype: 'float32', shape: [1], data: new Float32Array([1]) });
    expect(net.loadStateDict(dict, 'net.')).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const saved = await net.saveStateDict('net.');
    expect([...saved.keys()]).toEqual(NAMES);
    for (const [name, entry] of saved) {
      expect(entry.shape).toEqual(dict.get(name)!.shape);
      expect(Array.from(entry.data)).toEqual(Array.from(dict.get(name)!.data));
    }
    net.dispose();
  });

  it('accepts aliases, reports missing and unexpected keys once, and rejects mis-shaped entries', () => {
    const net = new Net();
    const dict = weights(net);
    dict.set('net.stem.0.old_weight', dict.get('net.stem.0.weight')!);
    dict.delete('net.stem.0.weight');
    dict.delete('net.head.bias');
    dict.set('net.extra', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    const error = (() => {
      try {
        net.loadStateDict(dict, 'net.');
      } catch (caught) {
        return caught as RcnnError;
      }
    })();
    expect(error).toBeInstanceOf(RcnnError);
    expect(error!.code).toBe('MISSING_KEYS');
    expect(error!.message).toContain('missing 1: net.head.bias; unexpected 1: net.extra');
    expect(net.loadStateDict(dict, 'net.', { strict: false })).toEqual({
      missingKeys: ['net.head.bias'],
      unexpectedKeys: ['net.extra'],
    });
    dict.set('net.head.weight', { dtype: 'float32', shape: [5], data: new Float32Array(5) });
    expect(() => net.loadStateDict(dict, 'net.', { strict: false })).toThrow(
      /net\.head\.weight: got float32 \[5\]/,
    );
    net.dispose();
  });

  it('accepts a child alias, also an empty one (entries once sat in the parent)', () => {
    class Legacy extends Module {
      constructor() {
        super();
        this.addModule('0', new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 1 }), ['', 'old']);
      }
    }
    const legacy = new Legacy();
    expect(legacy.expectedEntries('fpn.')[0]).toMatchObject({
      name: 'fpn.0.weight',
      aliases: ['fpn.weight', 'fpn.old.weight'],
    });
    const dict = deterministicStateDict([
      ['fpn.weight', [2, 1, 1, 1]],
      ['fpn.old.bias', [2]],
    ]);
    expect(legacy.loadStateDict(dict, 'fpn.')).toEqual({ missingKeys: [], unexpectedKeys: [] });
    legacy.dispose();
  });

  it('lists trainable variables by name; setTrainable freezes parameters, never trains buffers', () => {
    const net = new Net();
    expect(net.trainableVariables('net.').map(([name]) => name)).toEqual(
      NAMES.filter((n) => !n.includes('running')),
    );
    net.setTrainable(false);
    expect(net.trainableVariables()).toEqual([]);
    net.setTrainable(true);
    const frozen = new BatchNorm2d(4, { frozen: true }).setTrainable(true);
    expect(frozen.trainableVariables()).toEqual([]);
    expect(frozen.stateDictShapes().map(([name]) => name)).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
    ]);
    frozen.dispose();
    net.dispose();
  });

  it('train() and eval() reach every descendant', () => {
    const net = new Net().train();
    expect(net.namedChildren()[0]![1].namedChildren()[1]![1].training).toBe(true);
    net.eval();
    expect(net.conv.training).toBe(false);
    net.dispose();
  });

  it('construction, load, save and dispose leak nothing', async () => {
    await expectNoLeaks(async () => {
      const net = new Net();
      net.loadStateDict(weights(net), 'net.');
      await net.saveStateDict('net.');
      net.dispose();
    });
  });
}, ['cpu']);
