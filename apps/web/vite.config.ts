import { defaultClientConditions, defaultServerConditions, defineConfig } from 'vite';

// The workspace's `@rcnn/source` condition builds the @rcnn packages from their TypeScript
// sources, so the app needs no package built first. `base: './'` makes dist/ work from any path.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@rcnn/source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['@rcnn/source', ...defaultServerConditions] } },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  // The tfjs backends are imported by the worker; pre-bundling them for the dev server only slows it.
  optimizeDeps: { exclude: ['@rcnn/core', '@rcnn/models', '@rcnn/postprocess'] },
});
