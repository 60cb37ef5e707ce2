// Runs inside the temporary consumer project: bundles browser/main.js for the browser with
// the project's own Vite, and fails when anything Node-only reaches the bundle (a Node
// built-in, Vite's browser-external stub, a `node:` import) or Vite warns about one.
import { build } from 'vite';

const NODE_ONLY = /__vite-browser-external|from ['"]node:|require\(['"]node:|externalized for browser/;
const warnings = [];
const start = performance.now();
let result;
try {
  result = await build({
    root: 'browser',
    logLevel: 'silent',
    configFile: false,
    build: {
      write: false,
      minify: false,
      reportCompressedSize: false,
      rollupOptions: { onwarn: (warning) => warnings.push(warning.message) },
    },
  });
} catch (error) {
  // Rollup's error carries every watched file; the message and the module are what matter.
  console.error(`vite build failed: ${error.message}${error.id ? ` (in ${error.id})` : ''}`);
  process.exit(1);
}
const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
const chunks = outputs.filter((o) => o.type === 'chunk');
const modules = chunks.flatMap((c) => Object.keys(c.modules));
const problems = [
  ...warnings.filter((w) => NODE_ONLY.test(w)),
  ...chunks.filter((c) => NODE_ONLY.test(c.code)).map((c) => `${c.fileName} contains a Node-only import`),
  ...modules.filter((id) => /@rcnn\/core\/dist\/node\./.test(id)).map((id) => `bundled ${id}`),
];
const rcnn = new Set(modules.map((id) => id.match(/@rcnn\/[a-z-]+/)?.[0]).filter(Boolean));
const bytes = chunks.reduce((sum, c) => sum + c.code.length, 0);
console.log(
  JSON.stringify({
    ms: Math.round(performance.now() - start),
    chunks: chunks.length,
    bytes,
    rcnnPackages: [...rcnn].sort(),
    warnings: warnings.length,
    problems,
  }),
);
if (problems.length > 0 || rcnn.size < 8) process.exit(1);
