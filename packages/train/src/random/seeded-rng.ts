import { RcnnError } from '@rcnn/core';

/**
 * A seeded uniform random source (mulberry32, as `@rcnn/core`'s `createSeededRandom`) whose
 * state can be saved and restored, so a resumed run draws the same numbers as an unbroken one.
 */
export class SeededRng {
  private state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RcnnError('INVALID_ARGUMENT', `seed must be a number, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle of `items` in place; returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** The state to save (a 32-bit unsigned integer). */
  getState(): number {
    return this.state >>> 0;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }

  /** An independent generator for stream `key` (e.g. one per iteration and sample), reproducible from the seed. */
  static derive(seed: number, ...key: number[]): SeededRng {
    let h = seed >>> 0;
    for (const k of key) h = Math.imul(h ^ (k >>> 0), 0x9e3779b1) ^ (h >>> 16);
    const rng = new SeededRng(h);
    rng.next();
    return rng;
  }
}
