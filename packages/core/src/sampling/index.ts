export {
  BalancedSampler,
  type BalancedSamplerOptions,
  type PositiveNegativeSampler,
  type SampledIndices,
} from './balanced-sampler';
export { Matcher, type MatcherOptions } from './matcher';
export { createSeededRandom } from './seeded-random';
