import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { BalancedSampler } from './balanced-sampler';
import { createSeededRandom } from './seeded-random';

function labels(positives: number, negatives: number, ignored: number): Float32Array {
  return Float32Array.from([
    ...Array(positives).fill(1),
    ...Array(negatives).fill(0),
    ...Array(ignored).fill(-1),
  ]);
}

describe('BalancedSampler', () => {
  it('takes up to batch * fraction positives and fills with negatives (torchvision counts)', () => {
    const sampler = new BalancedSampler({ batchSizePerImage: 256, positiveFraction: 0.5 });
    const [many, few, noNegatives] = sampler.sample([
      labels(300, 1000, 50),
      labels(10, 1000, 5),
      labels(5, 0, 3),
    ]);
    expect([many!.positive.length, many!.negative.length]).toEqual([128, 128]);
    expect([few!.positive.length, few!.negative.length]).toEqual([10, 246]);
    expect([noNegatives!.positive.length, noNegatives!.negative.length]).toEqual([5, 0]);
    const roi = new BalancedSampler({ batchSizePerImage: 512, positiveFraction: 0.25 });
    const [second] = roi.sample([Float32Array.from([...Array(200).fill(3), ...Array(600).fill(0)])]);
    expect([second!.positive.length, second!.negative.length]).toEqual([128, 384]); // class labels >= 1 are positive
  });

  it('returns distinct ascending indices of the right labels', () => {
    const sampler = new BalancedSampler({ batchSizePerImage: 64, positiveFraction: 0.5 });
    const values = Float32Array.from({ length: 500 }, (_, i) => [1, 0, -1, 0][i % 4]!);
    const [picked] = sampler.sample([values]);
    for (const [indices, label] of [
      [picked!.positive, 1],
      [picked!.negative, 0],
    ] as const) {
      expect(new Set(indices).size).toBe(indices.length);
      expect(Array.from(indices)).toEqual(Array.from(indices).sort((a, b) => a - b));
      for (const index of indices) expect(values[index]).toBe(label);
    }
  });

  it('is reproducible with the same seed and varies with another', () => {
    const data = [labels(400, 4000, 0)];
    const draw = (seed: number) =>
      new BalancedSampler({
        batchSizePerImage: 256,
        positiveFraction: 0.5,
        random: createSeededRandom(seed),
      }).sample(data)[0]!;
    expect(Array.from(draw(7).negative)).toEqual(Array.from(draw(7).negative));
    expect(Array.from(draw(7).negative)).not.toEqual(Array.from(draw(8).negative));
  });

  it('draws roughly uniformly', () => {
    const sampler = new BalancedSampler({
      batchSizePerImage: 10,
      positiveFraction: 1,
      random: createSeededRandom(3),
    });
    const counts = new Array(20).fill(0);
    for (let trial = 0; trial < 2000; trial++) {
      for (const index of sampler.sample([new Float32Array(20).fill(1)])[0]!.positive) counts[index]++;
    }
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(120); // each index in half the draws
  });

  it('rejects bad options', () => {
    expect(() => new BalancedSampler({ batchSizePerImage: -1, positiveFraction: 0.5 })).toThrow(RcnnError);
    expect(() => new BalancedSampler({ batchSizePerImage: 256, positiveFraction: 1.5 })).toThrow(RcnnError);
  });
});
