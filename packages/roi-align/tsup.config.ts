import { packageConfig } from '../../tooling/tsup.base';

// `base` (no side effects) and `index` (base + kernel registration) are separate entries;
// splitting keeps one copy of the shared code in a chunk both import.
export default packageConfig({ index: 'src/index.ts', base: 'src/base.ts' }, { splitting: true });
