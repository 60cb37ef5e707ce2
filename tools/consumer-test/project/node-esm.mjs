// Runs inside the temporary consumer project: imports every @rcnn entry point given on
// the command line (JSON list) through ESM `import`, checks that tfjs-core is loaded
// once, runs the small predict and prints its summary as one JSON line.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const warnings = [];
const warn = console.warn;
console.warn = (...args) => {
  warnings.push(args.map(String).join(' '));
  warn(...args);
};

const specifiers = JSON.parse(process.argv[2]);
const loaded = {};
for (const specifier of specifiers) {
  loaded[specifier] = await import(specifier);
}
const tf = await import('@tensorflow/tfjs-core');
const { check, predictSmall } = await import('./predict-small.cjs');

// One tfjs-core: every @rcnn package resolves it to the project's own copy.
const require = createRequire(import.meta.url);
const own = require.resolve('@tensorflow/tfjs-core');
for (const specifier of specifiers.filter((s) => !s.slice('@rcnn/'.length).includes('/'))) {
  const fromPackage = createRequire(require.resolve(`${specifier}/package.json`));
  const theirs = fromPackage.resolve('@tensorflow/tfjs-core');
  check(theirs === own, `${specifier} resolves tfjs-core to ${dirname(theirs)}, not ${dirname(own)}`);
}

// The Node-only subpath shares the main entry's classes.
const core = loaded['@rcnn/core'];
const coreNode = loaded['@rcnn/core/node'];
const error = await coreNode.readImageFile('/nonexistent/image.png').catch((e) => e);
check(error instanceof core.RcnnError, '@rcnn/core/node throws @rcnn/core RcnnError (one copy of core)');

const rcnn = { core, coreNode, models: loaded['@rcnn/models'], postprocess: loaded['@rcnn/postprocess'] };
const summary = await predictSmall(rcnn, tf);
const doubled = warnings.filter((w) => /already been set|already registered/.test(w));
check(doubled.length === 0, `no duplicate tfjs-core warnings (got: ${doubled.join(' | ')})`);
console.log(JSON.stringify({ modules: specifiers.length, ...summary }));
