import { deterministicStateDict, RcnnError, type StateDict } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import { CheckedWeights } from './checked-weights';
import { resnetFpnParameterShapes } from './parameter-shapes';

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

describe('CheckedWeights.check', () => {
  it('accepts the exact torchvision key set and returns the arrays by name without prefix', () => {
    const dict = weights();
    const checked = CheckedWeights.check(dict, EXPECTED, 'backbone.');
    expect(checked.get('body.conv1.weight').data).toBe(dict.get('backbone.body.conv1.weight')!.data);
    expect(checked.get('fpn.layer_blocks.3.0.bias').shape).toEqual([256]);
  });

  it('accepts the pre-0.13 FPN naming without the .0 sub-index', () => {
    const dict = weights();
    const renamed: StateDict = new Map(
      [...dict].map(([name, value]) => [name.replace(/(fpn\.(inner|layer)_blocks\.\d+)\.0\./, '$1.'), value]),
    );
    expect(renamed.has('backbone.fpn.inner_blocks.0.weight')).toBe(true);
    expect(renamed.has('backbone.fpn.inner_blocks.0.0.weight')).toBe(false);
    const checked = CheckedWeights.check(renamed, EXPECTED, 'backbone.');
    expect(checked.get('fpn.inner_blocks.0.0.weight').data).toBe(
      dict.get('backbone.fpn.inner_blocks.0.0.weight')!.data,
    );
  });

  it('ignores keys outside the prefix and BatchNorm step counters', () => {
    const dict = weights();
    dict.set('rpn.head.conv.0.0.weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    dict.set('backbone.body.bn1.num_batches_tracked', { dtype: 'int32', shape: [], data: new Int32Array(1) });
    expect(() => CheckedWeights.check(dict, EXPECTED, 'backbone.')).not.toThrow();
  });

  it('lists missing and unexpected names in one MISSING_KEYS error', () => {
    const dict = weights();
    dict.delete('backbone.body.layer3.1.bn2.running_var');
    dict.delete('backbone.fpn.layer_blocks.2.0.bias');
    dict.set('backbone.body.fc.weight', { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) });
    const error = errorOf(() => CheckedWeights.check(dict, EXPECTED, 'backbone.'));
    expect(error.code).toBe('MISSING_KEYS');
    expect(error.message).toContain(
      'missing 2: backbone.body.layer3.1.bn2.running_var, backbone.fpn.layer_blocks.2.0.bias',
    );
    expect(error.message).toContain('unexpected 1: backbone.body.fc.weight');
  });

  it('says when nothing matches the prefix, and shortens long lists', () => {
    const dict = weights();
    const error = errorOf(() =>
      CheckedWeights.check(dict, resnetFpnParameterShapes({ depth: 18 }, 'model.'), 'model.'),
    );
    expect(error.code).toBe('MISSING_KEYS');
    expect(error.message).toContain("No expected key was found under prefix 'model.'");
    expect(error.message).toMatch(/missing 116: .*\(and 96 more\)/);
  });

  it('reports a checkpoint of another depth as missing and unexpected keys', () => {
    const error = errorOf(() =>
      CheckedWeights.check(
        deterministicStateDict(resnetFpnParameterShapes({ depth: 34 })),
        EXPECTED,
        'backbone.',
      ),
    );
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
    const error = errorOf(() => CheckedWeights.check(dict, EXPECTED, 'backbone.'));
    expect(error.code).toBe('INVALID_WEIGHTS');
    expect(error.message).toContain(
      'backbone.body.conv1.weight: got float32 [64, 3, 3, 3], expected float32 [64, 3, 7, 7]',
    );
    expect(error.message).toContain('backbone.body.bn1.bias: got int32 [64]');
  });
});
