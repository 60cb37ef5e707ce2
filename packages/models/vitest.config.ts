import { mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../tooling/vitest.base';

// ResNet-50-FPN detectors end to end: a preset's parity tests take tens of seconds on wasm.
export default mergeConfig(packageTestConfig({ testTimeout: 180_000 }), {
  test: { setupFiles: ['./src/test-support/yield-between-tests.ts'] },
});
