import { deterministicStateDict, RcnnError, type StateDict } from '@rcnn/core';
import { describeEachBackend } from '@rcnn/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resnetFpnParameterShapes } from './parameter-shapes';
import { ResnetFpnBackbone } from './resnet-fpn-backbone';
import type { ResnetFpnOptions } from './resnet-fpn-options';

const EXPECTED = resnetFpnParameterShapes({ depth: 18 });

function weights(): StateDict {
  return deterministicStateDict(EXPECTED);
}

function errorOf(fn: () => unknown): RcnnError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RcnnError);
    return error as RcnnError;
  }
  throw new Error('expected an RcnnError');
}

describeEachBackend('ResnetFpnBackbone.loadStateDict / saveStateDict', () => {
  let backbone: ResnetFpnBackbone;
  beforeAll(() => {
    backbone = new ResnetFpnBackbone({ depth: 18 });
  });
  afterAll(() => backbone.dispose());
  const check = (dict: StateDict, prefix = 'backbone.') => backbone.loadStateDict(dict, prefix);

  for (const options of [
    { depth: 18 },
    { depth: 18, norm: 'bn' },
    { depth: 18, norm: 'gn', baseChannels: 32 },
    { depth: 50, groups: 32, widthPerGroup: 4, returnedLayers: [2, 3, 4] },
  ] as ResnetFpnOptions[]) {
    it(`has the entries resnetFpnParameterShapes lists, in order: ${JSON.stringify(options)}`, () => {
      const module = new ResnetFpnBackbone(options);
      expect(module.stateDictShapes('backbone.')).toEqual(
        resnetFpnParameterShapes(options).map(([name, shape]) => [name, [...shape]]),
      );
      module.dispose();
    });
  }

  it('loads the exact torchvision key set and saves it back unchanged (torch layout)', async () => {
    const dict = weights();
    expect(check(dict)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const saved = await backbone.saveStateDict('backbone.');
    expect([...saved.keys()]).toEqual([...dict.keys()]);
    for (const [name, entry] of saved) {
      expect(entry.shape, name).toEqual(dict.get(name)!.shape);
      expect(Buffer.from(entry.data.buffer).equals(Buffer.from(dict.get(name)!.data.buffer)), name).toBe(
        true,
      );
    }
  });

  it('accepts the pre-0.13 FPN naming without the .0 sub-index', () => {
    const dict = weights();
    const renamed: StateDict = new Map(
      [...dict].map(([name, value]) => [name.replace(/(fpn\.(inner|layer)_blocks\.\d+)\.0\./, '$1.'), value]),
    );
    expect(renamed.has('backbone.fpn.inner_blocks.0.weight')).toBe(true);
    expect(renamed.has('backbone.fpn.inner_blocks.0.0.weight')).toBe(false);
    expect(check(renamed)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it('ignores keys outside the prefix and BatchNorm step counters', () => {
    const dict = weights();
    dict.set('rpn.head.conv.0.0.weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    dict.set('backbone.body.bn1.num_batches_tracked', { dtype: 'int32', shape: [], data: new Int32Array(1) });
    expect(check(dict)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it('lists missing and unexpected names in one MISSING_KEYS error', () => {
    const dict = weights();
    dict.delete('backbone.body.layer3.1.bn2.running_var');
    dict.delete('backbone.fpn.layer_blocks.2.0.bias');
    dict.set('backbone.body.fc.weight', { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) });
    const error = errorOf(() => check(dict));
    expect(error.code).toBe('MISSING_KEYS');
    expect(error.message).toContain(
      'missing 2: backbone.body.layer3.1.bn2.running_var, backbone.fpn.layer_blocks.2.0.bias',
    );
    expect(error.message).toContain('unexpected 1: backbone.body.fc.weight');
  });

  it('says when nothing matches the prefix, and shortens long lists', () => {
    const dict = weights();
    const error = errorOf(() => check(dict, 'model.'));
    expect(error.code).toBe('MISSING_KEYS');
    expect(error.message).toContain("No expected key was found under prefix 'model.'");
    expect(error.message).toMatch(/missing 116: .*\(and 96 more\)/);
    expect(error.message).not.toContain('unexpected');
  });

  it('reports a checkpoint of another depth as missing and unexpected keys', () => {
    const error = errorOf(() => check(deterministicStateDict(resnetFpnParameterShapes({ depth: 34 }))));
    expect(error.code).toBe('MISSING_KEYS');
    expect(error.message).toContain('unexpected');
    expect(error.message).toContain('backbone.body.layer1.2.conv1.weight');
  });

  it('lists mis-shaped and non-float entries with INVALID_WEIGHTS', () => {
    const dict = weights();
    dict.set('backbone.body.conv1.weight', {
      dtype: 'float32',
      shape: [64, 3, 3, 3],
      data: new Float32Array(1728),
    });
    dict.set('backbone.body.bn1.bias', { dtype: 'int32', shape: [64], data: new Int32Array(64) });
    const error = errorOf(() => check(dict));
    expect(error.code).toBe('INVALID_WEIGHTS');
    expect(error.message).toContain(
      'backbone.body.conv1.weight: got float32 [64, 3, 3, 3], expected float32 [64, 3, 7, 7]',
    );
    expect(error.message).toContain('backbone.body.bn1.bias: got int32 [64]');
  });
}, ['cpu']);
