import { mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../tooling/vitest.base';

// ResNet-50-FPN detectors end to end: a preset's parity tests take tens of seconds on wasm.
// The browser project (src/*.browser.test.ts: a training step on webgpu) pre-bundles the deps it
// meets up front, so vite does not reload the page mid-test when it discovers them.
export default mergeConfig(packageTestConfig({ testTimeout: 180_000, browser: true }), {
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@rcnn/core > fflate',
      '@rcnn/core > jpeg-js',
    ],
  },
  test: { setupFiles: ['./src/test-support/yield-between-tests.ts'] },
});
