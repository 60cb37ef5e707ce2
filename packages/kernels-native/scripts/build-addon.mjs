#!/usr/bin/env node
// Builds the oneDNN addon with node-gyp when oneDNN's headers are installed; otherwise (or if
// the build fails) says why and exits 0, so an install never fails: without the addon the
// package reports itself unavailable and TensorFlow.js keeps its wasm kernels.
// Skips the build when build/Release/rcnn_kernels_native.node is newer than every source.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const addon = join(root, 'build', 'Release', 'rcnn_kernels_native.node');
const sources = ['binding.gyp', ...readdirSync(join(root, 'native')).map((name) => join('native', name))];
const say = (message) => console.log(`@rcnn/kernels-native: ${message}`);

if (process.env.RCNN_NATIVE_KERNELS === '0') {
  say('RCNN_NATIVE_KERNELS=0, not building the addon');
  process.exit(0);
}
const header = ['/usr/include/dnnl.hpp', '/usr/local/include/dnnl.hpp', process.env.DNNL_INCLUDE_DIR]
  .filter(Boolean)
  .find((path) => existsSync(path.endsWith('.hpp') ? path : join(path, 'dnnl.hpp')));
if (header === undefined) {
  say('oneDNN headers not found (Debian: apt-get install libdnnl-dev); the wasm kernels will be used');
  process.exit(0);
}
if (existsSync(addon)) {
  const built = statSync(addon).mtimeMs;
  if (sources.every((path) => statSync(join(root, path)).mtimeMs < built)) {
    say('addon up to date');
    process.exit(0);
  }
}

/** node-gyp as the package manager passes it, else the copy npm bundles next to this node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((path) => path && existsSync(path));
}
const gyp = nodeGyp();
if (gyp === undefined) {
  say('node-gyp not found (it comes with npm); the wasm kernels will be used');
  process.exit(0);
}
// Node's own headers when installed beside it (Debian/NodeSource packages): no download.
const nodeDir = resolve(dirname(process.execPath), '..');
const args = [gyp, 'rebuild', '--release', '--loglevel=warn'];
if (existsSync(join(nodeDir, 'include', 'node', 'common.gypi'))) args.push(`--nodedir=${nodeDir}`);
say(`building with ${gyp}`);
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  say(`node-gyp failed (exit ${result.status}); the wasm kernels will be used`);
}
process.exit(0);
