import { mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../tooling/vitest.base';

// The app's tests build the site once (global setup), serve dist/ and drive Chromium themselves
// (test/*.test.ts in Node).
export default mergeConfig(packageTestConfig({ testTimeout: 300_000 }), {
  test: { globalSetup: ['test/support/build-site.ts'] },
});
