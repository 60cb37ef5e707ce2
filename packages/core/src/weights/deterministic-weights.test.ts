import { readFixtureBytes } from '@rcnn/test-utils';
import { describe, expect, it } from 'vitest';
import { deterministicTensor, deterministicWeight, fnv1a32 } from './deterministic-weights';
import { readSafetensors } from './safetensors';

// The fixture was written by tools/reference/gen_core_weights.py with numpy; every value must match bit for bit.
const fixture = readSafetensors(readFixtureBytes(import.meta.url, 'deterministic.safetensors'));

describe('deterministic weights (parity with tools/reference/detweights.py)', () => {
  it('hashes names exactly like the Python side', () => {
    const hashes = JSON.parse(fixture.metadata.fnv1a32!) as Record<string, number>;
    expect(Object.keys(hashes).length).toBeGreaterThan(5);
    for (const [name, hash] of Object.entries(hashes)) expect(fnv1a32(name), name).toBe(hash);
  });

  it('reproduces every fixture tensor bit for bit', () => {
    for (const [name, expected] of fixture.tensors) {
      const actual =
        name === 'image/uniform01'
          ? deterministicTensor(name, expected.shape, 0, 1)
          : deterministicWeight(name, expected.shape).data;
      expect(Array.from(actual), name).toEqual(Array.from(expected.data));
    }
  });

  it('keeps BatchNorm variances positive and weights within ±sqrt(2 / fanIn)', () => {
    const variance = deterministicWeight('layer1.0.bn1.running_var', [64]).data;
    expect(Math.min(...variance)).toBeGreaterThanOrEqual(0.5);
    const conv = deterministicWeight('conv.weight', [8, 4, 3, 3]).data;
    const bound = Math.sqrt(2 / 36);
    expect(Math.max(...conv.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(deterministicWeight('bn.num_batches_tracked', []).dtype).toBe('int32');
  });
});
