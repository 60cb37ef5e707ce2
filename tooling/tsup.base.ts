import { defineConfig, type Options } from 'tsup';

/**
 * Shared tsup settings: ESM + CJS + .d.ts for every published package.
 * tfjs and all @rcnn packages stay external (they are peers or dependencies,
 * never bundled: two copies of tfjs-core break kernel registration).
 */
export function packageConfig(entry: string[] | Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { customConditions: [] } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: false,
    treeshake: true,
    external: [/^@tensorflow\//, /^@rcnn\//],
    ...overrides,
  });
}
