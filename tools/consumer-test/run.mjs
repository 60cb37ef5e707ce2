#!/usr/bin/env node
// Consumer test: installs the packages as a user outside this repository would, from the
// tarballs `pnpm pack` makes, and uses them. Steps: build (turbo; cached after CI's build),
// `pnpm pack` every published (non-private) workspace package into a temporary folder,
// check each tarball, `npm install` them with the tfjs peers (4.22.0) and vite into a fresh
// project under os.tmpdir(), then: exactly one tfjs-core installed and `npm ls` clean; every
// entry point imported from ESM and required from CJS with a small Mask R-CNN predict in
// each (same detections); the `rcnn` bin runs; a browser bundle builds with Vite without
// Node built-ins. Prints one line per check and a summary; exits 1 when any check failed.
// Leaves nothing behind (`--keep` keeps the temporary folder for debugging).
// Usage: node tools/consumer-test/run.mjs [--keep] [--pack-to DIR]
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const TFJS = '4.22.0';
// pnpm 9.15.9 through npx, located once (one npx start per call would cost seconds each).
const PNPM = execFileSync('npx', ['--yes', 'pnpm@9.15.9', 'exec', 'sh', '-c', 'command -v pnpm'], {
  encoding: 'utf8',
  cwd: ROOT,
}).trim();
process.env.PATH = `${dirname(PNPM)}${delimiter}${process.env.PATH}`; // turbo looks pnpm up on PATH
const keep = process.argv.includes('--keep');
// `--pack-to DIR`: only build and pack, leaving the tarballs in DIR (docs/installing.md).
const packTo = process.argv.includes('--pack-to')
  ? process.argv[process.argv.indexOf('--pack-to') + 1]
  : undefined;
const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const results = [];
const started = performance.now();

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

async function step(name, body) {
  const start = performance.now();
  let ok = true;
  let detail = '';
  try {
    detail = (await body()) ?? '';
  } catch (error) {
    ok = false;
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n').trim().split('\n').slice(-15);
    detail = [error.message.split('\n')[0], ...output].join('\n    ');
  }
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  results.push({ name, ok, seconds });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)${detail ? `\n    ${detail}` : ''}`);
  return ok;
}

function publishedPackages() {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(ROOT, group))
      .map((dir) => join(ROOT, group, dir))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
      .filter(({ manifest }) => manifest.private !== true),
  );
}

/** Every file a manifest's `exports`, `main` and `bin` point at. */
function pointedFiles(manifest) {
  const files = [];
  const walk = (value) => {
    if (typeof value === 'string') files.push(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.main);
  walk(manifest.bin);
  return files;
}

/** Whether `path` matches an exports target pattern with one `*` (any characters, as Node's subpath patterns). */
function matchesPattern(path, pattern) {
  const [head, tail] = pattern.split('*');
  return path.length > head.length + tail.length && path.startsWith(head) && path.endsWith(tail);
}

/** Whether an exports entry points at data, not a module: a pattern (`./samples/*`) or a non-JS file (`./model.safetensors`). */
function isDataExport(key, target) {
  return key.includes('*') || (typeof target === 'string' && !/\.[cm]?js$/.test(target));
}

function checkTarball(tarball, isApp) {
  const listed = new Set(run('tar', ['-tzf', tarball]).split('\n').filter(Boolean));
  const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json']));
  const problems = [];
  if (JSON.stringify(manifest).includes('workspace:')) problems.push('a workspace: range was not rewritten');
  if ([...listed].some((f) => f.includes('node_modules/'))) problems.push('contains node_modules');
  // A subpath pattern (`./samples/*`) must match at least one packed file.
  const packed = (file) =>
    file.includes('*')
      ? [...listed].some((f) => matchesPattern(f, `package/${file}`))
      : listed.has(`package/${file}`);
  for (const file of pointedFiles(manifest)) {
    if (!file.startsWith('src/') && !packed(file)) problems.push(`missing ${file}`);
  }
  const tfjsDeps = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@tensorflow/'));
  if (!isApp && tfjsDeps.length > 0) problems.push(`tfjs as a dependency, not a peer: ${tfjsDeps}`);
  if (problems.length > 0) throw new Error(`${manifest.name}: ${problems.join('; ')}`);
  return listed.size;
}

/** Installed copies of a package anywhere in the project's node_modules tree. */
function installedCopies(dir, name, found = []) {
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules)) return found;
  if (existsSync(join(modules, name, 'package.json'))) found.push(join(modules, name));
  for (const entry of readdirSync(modules)) {
    const scoped = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((e) => join(entry, e))
      : [entry];
    for (const child of scoped) installedCopies(join(modules, child), name, found);
  }
  return found;
}

const work = mkdtempSync(join(tmpdir(), 'rcnn-consumer-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
const published = publishedPackages();
const names = published.map((p) => p.manifest.name);
console.log(`consumer test in ${work}: ${names.join(', ')}`);
try {
  const built = await step('build the published packages (turbo)', () => {
    const filters = names.map((name) => `--filter=${name}`);
    run(PNPM, ['exec', 'turbo', 'run', 'build', ...filters], { cwd: ROOT });
  });
  const packed =
    built &&
    (await step(`pnpm pack ${names.length} packages, check the tarballs`, async () => {
      mkdirSync(tarballs);
      const queue = published.map(({ dir }) => dir);
      const packer = async () => {
        for (let dir = queue.shift(); dir; dir = queue.shift()) {
          await execFileAsync(PNPM, ['pack', '--pack-destination', tarballs], { cwd: dir });
        }
      };
      await Promise.all([packer(), packer(), packer()]);
      let files = 0;
      for (const { manifest } of published) {
        const tarball = readdirSync(tarballs).find((f) =>
          f.startsWith(`${manifest.name.slice(1).replace('/', '-')}-`),
        );
        if (!tarball) throw new Error(`no tarball for ${manifest.name}`);
        files += checkTarball(join(tarballs, tarball), manifest.bin !== undefined);
      }
      return `${readdirSync(tarballs).length} tarballs, ${files} files, no workspace: ranges, tfjs only as peers`;
    }));
  if (packed && packTo) {
    mkdirSync(packTo, { recursive: true });
    cpSync(tarballs, packTo, { recursive: true });
    console.log(`tarballs in ${packTo}:\n  ${readdirSync(tarballs).join('\n  ')}`);
  }
  const installed =
    packed &&
    !packTo &&
    (await step(`npm install the tarballs + tfjs ${TFJS} peers + vite into a fresh project`, () => {
      cpSync(join(import.meta.dirname, 'project'), project, { recursive: true });
      writeFileSync(join(project, 'package.json'), '{ "name": "rcnn-consumer", "private": true }\n');
      const specs = [
        ...readdirSync(tarballs).map((f) => join(tarballs, f)),
        ...['core', 'backend-cpu', 'backend-wasm'].map((p) => `@tensorflow/tfjs-${p}@${TFJS}`),
        `vite@${rootManifest.devDependencies.vite}`,
      ];
      run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd: project });
      run('npm', ['ls', '--all'], { cwd: project });
      return `${specs.length} specs; npm ls --all clean (peers satisfied)`;
    }));
  if (installed) {
    await step('exactly one tfjs-core (and one of each backend) installed', () => {
      const found = ['core', 'backend-cpu', 'backend-wasm'].map((name) => {
        const copies = installedCopies(project, join('@tensorflow', `tfjs-${name}`));
        if (copies.length !== 1) {
          throw new Error(
            `tfjs-${name}: ${copies.length} copies: ${copies.map((c) => relative(project, c))}`,
          );
        }
        return relative(project, copies[0]);
      });
      return found.join(', ');
    });
    const specifiers = JSON.stringify(
      published
        .filter((p) => p.manifest.exports)
        .flatMap(({ manifest }) =>
          Object.keys(manifest.exports)
            // Data exports (weights, pictures) are checked in the tarball step, not imported.
            .filter((key) => key !== './package.json' && !isDataExport(key, manifest.exports[key]))
            .map((key) => (key === '.' ? manifest.name : `${manifest.name}${key.slice(1)}`)),
        ),
    );
    const summaries = {};
    for (const [kind, script] of [
      ['ESM import', 'node-esm.mjs'],
      ['CJS require', 'node-cjs.cjs'],
    ]) {
      await step(`${kind} of every entry point, one tfjs-core, small Mask R-CNN predict (wasm)`, () => {
        const lines = run('node', [script, specifiers], { cwd: project }).trim().split('\n');
        const summary = JSON.parse(lines.at(-1));
        summaries[kind] = summary;
        return `${summary.modules} entry points; ${summary.count} detections, boxes/scores/labels/masks shaped right, no leaks`;
      });
    }
    if (summaries['ESM import'] && summaries['CJS require']) {
      await step('ESM and CJS builds give the same detections', () => {
        const [a, b] = [summaries['ESM import'], summaries['CJS require']];
        const same = (x, y) => x.length === y.length && x.every((v, i) => Math.abs(v - y[i]) <= 1e-5);
        if (
          a.count !== b.count ||
          !same(a.boxes, b.boxes) ||
          !same(a.scores, b.scores) ||
          !same(a.labels, b.labels)
        ) {
          throw new Error(`ESM ${JSON.stringify(a)} vs CJS ${JSON.stringify(b)}`);
        }
        return `${a.count} detections, first box [${a.boxes.slice(0, 4).map((v) => v.toFixed(2))}]`;
      });
    }
    if (published.some((p) => p.manifest.bin)) {
      await step('the installed rcnn bin runs (rcnn --help)', () => {
        const help = run(join(project, 'node_modules', '.bin', 'rcnn'), ['--help'], { cwd: project });
        if (!/predict/.test(help)) throw new Error(`unexpected --help output: ${help.slice(0, 200)}`);
      });
    }
    await step('Vite bundles a browser import of every browser entry point, no Node built-ins', () => {
      const summary = JSON.parse(run('node', ['vite-build.mjs'], { cwd: project }).trim().split('\n').at(-1));
      return `${summary.rcnnPackages.length} @rcnn packages, ${(summary.bytes / 1e6).toFixed(1)} MB of JS, ${summary.warnings} rollup warnings`;
    });
  }
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
const leftovers = published.flatMap(({ dir }) => readdirSync(dir).filter((f) => f.endsWith('.tgz')));
if (leftovers.length > 0) results.push({ name: `no tarballs left in the repo (${leftovers})`, ok: false });
const failed = results.filter((r) => !r.ok).length;
const total = ((performance.now() - started) / 1000).toFixed(0);
console.log(`\nconsumer test: ${results.length - failed} passed, ${failed} failed (${total} s)`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
