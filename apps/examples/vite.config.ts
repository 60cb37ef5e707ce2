import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// `npx vite-node src/<example>.ts` from this folder runs the examples on the packages' TypeScript
// sources (the workspace's `@rcnn/source` condition), so nothing needs building first.
export default defineConfig({
  ssr: { resolve: { conditions: ['@rcnn/source', ...defaultServerConditions] } },
  resolve: { conditions: ['@rcnn/source'] },
});
