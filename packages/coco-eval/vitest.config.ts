import { packageTestConfig } from '../../tooling/vitest.base';

// browser: also runs src/**/*.browser.test.ts in headless Chromium (no Node APIs in the package).
export default packageTestConfig({ browser: true });
