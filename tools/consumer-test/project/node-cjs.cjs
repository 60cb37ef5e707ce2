// Runs inside the temporary consumer project: loads every @rcnn entry point given on the
// command line (JSON list) through CommonJS `require`, then the same small predict as
// node-esm.mjs, printing its summary as one JSON line.
const warnings = [];
const warn = console.warn;
console.warn = (...args) => {
  warnings.push(args.map(String).join(' '));
  warn(...args);
};

const { check, predictSmall } = require('./predict-small.cjs');

async function main() {
  const specifiers = JSON.parse(process.argv[2]);
  const loaded = {};
  for (const specifier of specifiers) {
    loaded[specifier] = require(specifier);
  }
  const tf = require('@tensorflow/tfjs-core');
  const core = loaded['@rcnn/core'];
  const coreNode = loaded['@rcnn/core/node'];
  const error = await coreNode.readImageFile('/nonexistent/image.png').catch((e) => e);
  check(error instanceof core.RcnnError, '@rcnn/core/node throws @rcnn/core RcnnError (one copy of core)');
  const rcnn = { core, coreNode, models: loaded['@rcnn/models'], postprocess: loaded['@rcnn/postprocess'] };
  const summary = await predictSmall(rcnn, tf);
  const doubled = warnings.filter((w) => /already been set|already registered/.test(w));
  check(doubled.length === 0, `no duplicate tfjs-core warnings (got: ${doubled.join(' | ')})`);
  console.log(JSON.stringify({ modules: specifiers.length, ...summary }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
