import { RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, expectTensorsClose } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../test/fixture-cases';
import { nearestSourceIndices, upsampleNearest } from './upsample-nearest';

// torch F.interpolate(source, size=(h, w), mode='nearest') for 2x, non-2x and shrinking sizes.
const fixture = readFixture('upsample-nearest.safetensors');
const source = fixture.tensors.get('source')!;

describe('nearestSourceIndices', () => {
  it('follows aten nearest_idx: identity, dst >> 1 for 2x, floor(dst * in / out) otherwise', () => {
    expect(Array.from(nearestSourceIndices(3, 3))).toEqual([0, 1, 2]);
    expect(Array.from(nearestSourceIndices(3, 6))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(nearestSourceIndices(3, 7))).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect(Array.from(nearestSourceIndices(5, 3))).toEqual([0, 1, 3]);
  });
});

describeEachBackend('upsampleNearest parity with torch F.interpolate(mode="nearest")', () => {
  const sizes = [...fixture.tensors.keys()].filter((name) => name !== 'source');

  it('matches every fixture size exactly', () => {
    expect(sizes.length).toBeGreaterThanOrEqual(5);
    const x = tf.tensor4d(source.data as Float32Array, source.shape as [number, number, number, number]);
    for (const name of sizes) {
      const expected = fixture.tensors.get(name)!;
      const [height, width] = name.split('x').map(Number) as [number, number];
      const y = upsampleNearest(x, [height, width]);
      expect(y.shape, name).toEqual(expected.shape);
      expectTensorsClose(y, expected.data, { atol: 0, rtol: 0 });
      y.dispose();
    }
    x.dispose();
  });

  it('rejects non-positive sizes and does not leak', async () => {
    const x = tf.ones([1, 2, 3, 1]) as tf.Tensor4D;
    expect(() => upsampleNearest(x, [0, 3])).toThrow(RcnnError);
    await expectNoLeaks(() => {
      tf.dispose([upsampleNearest(x, [4, 6]), upsampleNearest(x, [3, 5]), upsampleNearest(x, [2, 3])]);
    });
    x.dispose();
  });
});
