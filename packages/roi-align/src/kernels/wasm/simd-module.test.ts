import { seededRandom } from '@rcnn/test-utils';
import { describe, expect, it } from 'vitest';
import { simdChannelOps, simdModuleBytes } from './simd-module';

describe('the WebAssembly SIMD channel loops', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const ops = simdChannelOps(memory)!;
  const heap = new Float32Array(memory.buffer);
  const random = seededRandom(3);
  const fill = () => {
    for (let i = 0; i < 1024; i++) heap[i] = random() * 2 - 1;
  };
  // Float regions (in floats): out 0, a 64, b 128, c 192, d 256, each 16 floats = 4 groups.
  const at = (float: number) => float * 4;
  const expectRegion = (float: number, expected: number[]) => {
    for (const [i, v] of expected.entries()) expect(heap[float + i]).toBeCloseTo(v, 5);
  };

  it('assembles a module the engine validates, bound to the given memory', () => {
    expect(WebAssembly.validate(simdModuleBytes())).toBe(true);
    expect(ops).toBeDefined();
    expect(simdChannelOps(memory)).toBe(ops);
  });

  it('accumulate4 / accumulate2 add weighted rows into the output', () => {
    fill();
    const expected = Array.from(
      { length: 16 },
      (_, i) =>
        heap[i]! + 0.5 * heap[64 + i]! - 2 * heap[128 + i]! + 3 * heap[192 + i]! + 0.25 * heap[256 + i]!,
    );
    ops.accumulate4(at(0), at(64), at(128), at(192), at(256), 0.5, -2, 3, 0.25, 4);
    expectRegion(0, expected);
    const twice = Array.from({ length: 16 }, (_, i) => heap[i]! + heap[64 + i]! * 1.5 + heap[128 + i]! * -1);
    ops.accumulate2(at(0), at(64), at(128), 1.5, -1, 4);
    expectRegion(0, twice);
    expect(heap[16]).not.toBe(twice[0]); // stops after 4 groups
  });

  it('scatter2 / scatter1 add weighted values into two rows', () => {
    fill();
    const [a, b] = [
      Array.from({ length: 16 }, (_, i) => heap[64 + i]! + 2 * heap[i]!),
      Array.from({ length: 16 }, (_, i) => heap[128 + i]! - heap[i]!),
    ];
    ops.scatter2(at(0), at(64), at(128), 2, -1, 4);
    expectRegion(64, a);
    expectRegion(128, b);
    const c = Array.from({ length: 16 }, (_, i) => heap[192 + i]! + 0.5 * heap[i]!);
    ops.scatter1(at(0), at(192), 0.5, 4);
    expectRegion(192, c);
  });

  it('is not used on a shared memory (tfjs threaded build)', () => {
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    expect(simdChannelOps(shared)).toBeUndefined();
    expect(simdChannelOps(undefined)).toBeUndefined();
  });
});
