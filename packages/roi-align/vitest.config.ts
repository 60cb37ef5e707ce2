import { packageTestConfig } from '../../tooling/vitest.base';

// browser: src/**/*.browser.test.ts run the WGSL kernels on webgpu in headless Chromium.
export default packageTestConfig({ browser: true });
