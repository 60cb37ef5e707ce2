import type { Initializer } from '@rcnn/core';

/**
 * `init` drawn with `seed` (a random init with an undefined seed stays unseeded; constant
 * inits need none). The heads seed weight `i` of a layer at `seed + offset`, its bias at `+ 1`.
 */
export function seeded(init: Initializer, seed: number | undefined): Initializer {
  if (seed === undefined || init.kind === 'zeros' || init.kind === 'ones') return init;
  return { ...init, seed };
}
