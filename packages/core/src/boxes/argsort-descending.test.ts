import { seededRandom } from '@rcnn/test-utils';
import { describe, expect, it } from 'vitest';
import { fixtureArray, fixtureMeta } from './__fixtures__/box-ops';
import { argsortDescending } from './argsort-descending';

describe('argsortDescending (tie order of torch.sort(descending=True) on CPU)', () => {
  it.each(fixtureMeta<string[]>('sort'))('reproduces torch.sort order for %s', (name) => {
    const keys = fixtureArray(`sort/${name}/keys`).data;
    const expected = fixtureArray(`sort/${name}/order`).data;
    expect(Array.from(argsortDescending(keys))).toEqual(Array.from(expected));
  });

  it.each(fixtureMeta<string[]>('sort'))('reproduces torch.sort(stable=True) order for %s', (name) => {
    const keys = fixtureArray(`sort/${name}/keys`).data;
    const expected = fixtureArray(`sort/${name}/stableOrder`).data;
    expect(Array.from(argsortDescending(keys, { stable: true }))).toEqual(Array.from(expected));
  });

  it('the fixtures exercise ties, NaN and more than 16 elements (std::sort is not stable there)', () => {
    const keys = fixtureArray('sort/killer300/keys').data;
    expect(keys.length).toBeGreaterThan(16);
    expect(new Set(keys).size).toBeLessThan(keys.length);
    expect(Array.from(fixtureArray('sort/nan100/keys').data).some(Number.isNaN)).toBe(true);
    // A stable sort would give 0..16 for 17 equal keys; torch does not.
    expect(Array.from(fixtureArray('sort/ties17/order').data)).not.toEqual([...Array(17).keys()]);
  });

  it('returns a permutation ordered by decreasing value, NaN first', () => {
    const random = seededRandom(7);
    for (const n of [0, 1, 2, 15, 16, 17, 100, 2000]) {
      const keys = Float32Array.from({ length: n }, () =>
        random() < 0.05 ? Number.NaN : Math.floor(random() * 10),
      );
      const order = argsortDescending(keys);
      expect(new Set(order).size).toBe(n);
      for (let i = 1; i < n; i++) {
        const previous = keys[order[i - 1]!]!;
        const current = keys[order[i]!]!;
        if (Number.isNaN(current)) expect(previous).toBeNaN();
        else if (!Number.isNaN(previous)) expect(previous).toBeGreaterThanOrEqual(current);
      }
    }
  });
});
