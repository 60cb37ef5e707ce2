import { packageTestConfig } from '../../tooling/vitest.base';

// browser: src/**/*.browser.test.ts run the webgpu kernels in headless Chromium.
export default packageTestConfig({ browser: true });
