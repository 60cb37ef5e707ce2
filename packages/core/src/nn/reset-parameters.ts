import type { Module } from './module';

/**
 * Re-draws every entry of `module` (parameters and buffers) from its initializer, each
 * random one seeded from `seed` and the entry's name: the same seed gives the same weights
 * whatever else was drawn before, so training from scratch (`rcnn train --weights init`)
 * is reproducible. Names, not positions, pick the streams: adding a head leaves the
 * backbone's draws unchanged.
 * @param seed any integer
 * @param prefix prepended to the names (a detector's part: `backbone.`), as in its state_dict
 */
export function resetParameters(module: Module, seed: number, prefix = ''): void {
  for (const [name, entry] of module.namedEntries(prefix)) entry.reinitialize(entrySeed(seed, name));
}

/** FNV-1a over the seed and the name: a 32-bit integer per entry. */
function entrySeed(seed: number, name: string): number {
  let hash = 0x811c9dc5;
  for (const character of `${seed}:${name}`) {
    hash ^= character.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash || 1; // 0 would mean 'unseeded' to tfjs
}
