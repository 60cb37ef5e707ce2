/**
 * Seeded pseudo-random numbers for the generator: mulberry32 (32-bit state, period 2^32),
 * the same sequence on every platform, so a seed fixes every pixel and annotation.
 */
export class SeededRandom {
  private state: number;

  /** @param seed any 32-bit unsigned integer (use `mixSeed` to derive one from several parts) */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** An integer in [low, high] (both included). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** A float in [low, high) whose logarithm is uniform (sizes: as many small as large objects per octave). */
  logUniform(low: number, high: number): number {
    return Math.exp(this.uniform(Math.log(low), Math.log(high)));
  }

  /** One element of `items`, each equally likely. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A fresh 32-bit seed drawn from this stream (for a per-pixel noise hash). */
  seed(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
}

/** murmur3's 32-bit finalizer: a bijective avalanche of one word. */
function finalize(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Combines non-negative safe integers (seed, split tag, image index) into one 32-bit seed;
 * each part's high and low words both count, so seeds above 2^32 differ too.
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    h = finalize(h ^ low) + 0x632be5ab;
    h = finalize(h ^ high) + 0x1b873593;
  }
  return finalize(h);
}

/**
 * A hash of (x, y) under `seed`, uniform in [0, 1): per-pixel noise that is a pure function
 * of the position, so a pixel's colour can be recomputed without replaying a stream.
 */
export function hashNoise(seed: number, x: number, y: number): number {
  let h = (seed ^ Math.imul(x, 0x27d4eb2d)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ Math.imul(y, 0x165667b1);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
