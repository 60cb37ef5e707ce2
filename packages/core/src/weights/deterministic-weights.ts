import { type StateDict, sizeOfShape, type WeightTensor } from './state-dict';

/**
 * Deterministic test weights, reproduced bit for bit by tools/reference/detweights.py,
 * so torchvision fixtures need no weight files: both sides fill every state_dict
 * entry from its name. The stream is mulberry32 seeded with FNV-1a of the name;
 * element i uses state seed + (i + 1) * 0x6D2B79F5, so numpy can vectorise it.
 * Values are computed in float64 and rounded once to float32 on both sides.
 */

const GOLDEN = 0x6d2b79f5;

/** FNV-1a 32-bit hash of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** `count` uniform numbers in [0, 1) for `key`: exact multiples of 2^-32. */
export function deterministicUniform01(key: string, count: number): Float64Array {
  const out = new Float64Array(count);
  const seed = fnv1a32(key);
  for (let i = 0; i < count; i++) {
    const a = (seed + Math.imul(i + 1, GOLDEN)) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

/** Uniform float32 values in [low, high) for `key` (e.g. a test image). */
export function deterministicTensor(key: string, shape: readonly number[], low = -1, high = 1): Float32Array {
  const u = deterministicUniform01(key, sizeOfShape(shape));
  const out = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = low + (high - low) * u[i]!;
  return out;
}

/**
 * The value range a state_dict entry gets, from its name and torch-layout shape:
 * BatchNorm statistics stay in realistic ranges (variance positive), weights are
 * uniform in ±sqrt(2 / fanIn), fanIn = prod(shape[1:]). (Kaiming's ±sqrt(6 / fanIn)
 * made ResNet-50-FPN features ~2e4 and ResNet-101's ~2e8 with these BatchNorm
 * statistics, so the RPN kept no proposals; ±sqrt(2 / fanIn) keeps every depth at O(1).)
 */
export function deterministicRange(name: string, shape: readonly number[]): [number, number] {
  if (name.endsWith('running_var')) return [0.5, 1.5];
  if (name.endsWith('running_mean')) return [-0.2, 0.2];
  if (name.endsWith('bias')) return [-0.1, 0.1];
  if (shape.length <= 1) return [0.5, 1.5]; // norm-layer scale
  const bound = Math.sqrt(2 / sizeOfShape(shape.slice(1)));
  return [-bound, bound];
}

/** One state_dict entry filled by the shared rule. `num_batches_tracked` (int64 counters) become int32 zeros. */
export function deterministicWeight(name: string, shape: readonly number[]): WeightTensor {
  if (name.endsWith('num_batches_tracked')) {
    return { dtype: 'int32', shape, data: new Int32Array(sizeOfShape(shape)) };
  }
  const [low, high] = deterministicRange(name, shape);
  return { dtype: 'float32', shape, data: deterministicTensor(name, shape, low, high) };
}

/** A whole state_dict from `[name, torchShape]` pairs, as a torchvision model would be filled by detweights.py. */
export function deterministicStateDict(entries: Iterable<readonly [string, readonly number[]]>): StateDict {
  const dict: StateDict = new Map();
  for (const [name, shape] of entries) dict.set(name, deterministicWeight(name, shape));
  return dict;
}
