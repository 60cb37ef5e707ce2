import { packageTestConfig } from '../../tooling/vitest.base';

// The app's test builds the site, serves dist/ and drives Chromium itself (test/*.test.ts in Node).
export default packageTestConfig({ testTimeout: 300_000 });
