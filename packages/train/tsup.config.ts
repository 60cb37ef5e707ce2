import { packageConfig } from '../../tooling/tsup.base';

// `decode-worker` is the worker-thread entry the data loader starts (dist/decode-worker.js beside
// dist/index.js); shims give the CJS build `import.meta.url` to find it.
export default packageConfig(
  { index: 'src/index.ts', 'decode-worker': 'src/data/decode-worker.ts' },
  { shims: true },
);
