import { defineConfig } from 'tsup';

// The CLI is an application: one ESM entry with a shebang; workspace packages stay external.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
  external: [/^@tensorflow\//, /^@rcnn\//],
});
