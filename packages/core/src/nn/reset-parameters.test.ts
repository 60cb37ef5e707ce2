import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import { expect, it } from 'vitest';
import { BatchNorm2d } from './batch-norm-2d';
import { Conv2d } from './conv2d';
import { Linear } from './linear';
import { ModuleDict } from './module-dict';
import { resetParameters } from './reset-parameters';

function build(): ModuleDict {
  return new ModuleDict([
    ['conv', new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3 })],
    ['norm', new BatchNorm2d(4)],
    ['fc', new Linear({ inFeatures: 8, outFeatures: 5, weightInit: { kind: 'normal', std: 0.01 } })],
    ['fc2', new Linear({ inFeatures: 8, outFeatures: 5, weightInit: { kind: 'normal', std: 0.01 } })],
  ]);
}

async function values(module: ModuleDict): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, entry] of module.namedEntries()) out[name] = [...(await entry.saveTorch())];
  return out;
}

describeEachBackend('resetParameters', () => {
  it('draws the same weights from the same seed, other weights from another, keeping each initializer', async () => {
    const [a, b, c] = [build(), build(), build()];
    resetParameters(a, 7);
    resetParameters(b, 7);
    resetParameters(c, 8);
    const [va, vb, vc] = [await values(a), await values(b), await values(c)];
    expect(va).toEqual(vb);
    expect(va['conv.weight']).not.toEqual(vc['conv.weight']);
    expect(va['fc.weight']).not.toEqual(vc['fc.weight']);
    // Torch's conv default: uniform within 1/sqrt(fan_in) = 1/sqrt(27); BN weight ones, stats 0 and 1.
    const bound = 1 / Math.sqrt(27);
    expect(va['conv.weight']!.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(Math.max(...va['conv.weight']!.map(Math.abs))).toBeGreaterThan(bound * 0.8);
    expect(va['norm.weight']).toEqual([1, 1, 1, 1]);
    expect(va['norm.running_var']).toEqual([1, 1, 1, 1]);
    // The normal init keeps its std (0.01): 40 draws stay well inside 5 std.
    expect(va['fc.weight']!.every((v) => Math.abs(v) < 0.05)).toBe(true);
    // Each entry draws from its own stream: two same-shaped entries differ.
    expect(va['fc.weight']).not.toEqual(va['fc2.weight']);
    for (const module of [a, b, c]) module.dispose();
  });

  it('leaves no tensors behind', async () => {
    const module = build();
    await expectNoLeaks(() => resetParameters(module, 1), 2);
    module.dispose();
  });
});
