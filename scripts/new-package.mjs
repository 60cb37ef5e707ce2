#!/usr/bin/env node
// Creates a package skeleton under packages/<name> with the repo's standard
// build (tsup ESM+CJS+d.ts), test (vitest) and packaging checks (publint, attw).
// Usage: node scripts/new-package.mjs <dir-name> "<one-line description>" [--private]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dirName, description, flag] = process.argv.slice(2);
if (!dirName || !description) {
  console.error('usage: node scripts/new-package.mjs <dir-name> "<description>" [--private]');
  process.exit(2);
}
const root = join(import.meta.dirname, '..', 'packages', dirName);
if (existsSync(root)) {
  console.error(`packages/${dirName} already exists`);
  process.exit(2);
}
const isPrivate = flag === '--private';
const exportEntry = {
  '@rcnn/source': './src/index.ts',
  import: { types: './dist/index.d.ts', default: './dist/index.js' },
  require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
};
const pkg = {
  name: `@rcnn/${dirName}`,
  version: '0.0.0',
  description,
  ...(isPrivate ? { private: true } : {}),
  license: 'Apache-2.0',
  type: 'module',
  sideEffects: false,
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: { '.': exportEntry, './package.json': './package.json' },
  files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/__fixtures__'],
  scripts: {
    build: 'tsup',
    typecheck: 'tsc --noEmit -p tsconfig.json',
    test: 'vitest run',
    'check:package': 'publint --strict && attw --pack . --profile node16',
  },
  peerDependencies: { '@tensorflow/tfjs-core': '4.22.0' },
  devDependencies: {},
};
mkdirSync(join(root, 'src'), { recursive: true });
writeFileSync(join(root, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  join(root, 'tsconfig.json'),
  `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', 'bench', '*.ts'] }, null, 2)}\n`,
);
writeFileSync(
  join(root, 'tsup.config.ts'),
  "import { packageConfig } from '../../tooling/tsup.base';\n\nexport default packageConfig(['src/index.ts']);\n",
);
writeFileSync(
  join(root, 'vitest.config.ts'),
  "import { packageTestConfig } from '../../tooling/vitest.base';\n\nexport default packageTestConfig();\n",
);
writeFileSync(join(root, 'src', 'index.ts'), 'export {};\n');
writeFileSync(join(root, 'README.md'), `# @rcnn/${dirName}\n\n${description}\n`);
console.log(`created packages/${dirName}`);
