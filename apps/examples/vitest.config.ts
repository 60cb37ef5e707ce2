import { packageTestConfig } from '../../tooling/vitest.base';

export default packageTestConfig({ testTimeout: 120_000 });
