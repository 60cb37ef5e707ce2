/**
 * A seeded uniform random source in [0, 1) (mulberry32), for reproducible sampling.
 * Pass the result wherever a `random: () => number` is accepted (e.g. {@link BalancedSampler}).
 * Not torch's generator: torchvision's draws cannot be reproduced, so parity tests inject
 * torchvision's sampled indices instead.
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
