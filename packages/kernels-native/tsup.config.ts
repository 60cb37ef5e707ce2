import { packageConfig } from '../../tooling/tsup.base';

// shims: the CJS build resolves the addon next to the package through import.meta.url.
export default packageConfig(['src/index.ts'], { shims: true });
