import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. `@rcnn/source` resolves workspace packages to their
 * TypeScript sources, so tests never depend on a stale build.
 * Each package writes test-results.json; scripts/sum-test-results.mjs adds them up.
 */
export function packageTestConfig(overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    resolve: { conditions: ['@rcnn/source', ...defaultClientConditions] },
    ssr: { resolve: { conditions: ['@rcnn/source', ...defaultServerConditions] } },
    test: {
      include: overrides.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      passWithNoTests: true,
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      poolOptions: { forks: { singleFork: true } },
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    },
  });
}
