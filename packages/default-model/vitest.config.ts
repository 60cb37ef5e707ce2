import { packageTestConfig } from '../../tooling/vitest.base';

export default packageTestConfig();
