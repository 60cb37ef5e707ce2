import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { relativeError } from '@rcnn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainFixture } from '../test/train-fixture';

const packageDir = join(import.meta.dirname, '..');
const built = ['index.js', 'index.cjs', 'register-gradients.js', 'register-gradients.cjs'].map((file) =>
  join(packageDir, 'dist', file),
);

/** Newest modification time of the package's sources and build config. */
function newestSource(): number {
  const files = readdirSync(join(packageDir, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => join(packageDir, 'src', file));
  files.push(join(packageDir, 'tsup.config.ts'), join(packageDir, 'tsup-tfjs-gradients.ts'));
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

// `@rcnn/train-kernels/register-gradients` in plain Node (no vite, no bundler), ESM and CJS, against
// the built dist: conv2d and gather gradients on cpu and on wasm (with the training kernels) equal torch.
describe('register-gradients in a plain node process', () => {
  beforeAll(() => {
    const stale = built.some((file) => !existsSync(file) || statSync(file).mtimeMs < newestSource());
    if (stale) execFileSync('npx', ['tsup'], { cwd: packageDir, stdio: 'ignore', timeout: 300_000 });
  }, 320_000);

  const fixture = trainFixture();
  const array = (name: string) => Array.from(fixture.tensor(name).data);
  const tensor = (name: string) => ({ data: array(name), shape: fixture.tensor(name).shape });
  const input = JSON.stringify({
    x: tensor('res3x3s1/x'),
    filter: tensor('res3x3s1/filter'),
    dy: tensor('res3x3s1/dy'),
    table: tensor('gather/table'),
    indices: tensor('gather/indices'),
    dyGather: tensor('gather/dy'),
  });

  for (const script of ['plain-node-gradients.mjs', 'plain-node-gradients.cjs']) {
    it(`${script}: cpu and wasm gradients equal torch's`, () => {
      const run = spawnSync(process.execPath, [join(packageDir, 'test', script)], {
        input,
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 64 << 20,
      });
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as Record<string, Record<string, number[]>>;
      for (const backend of ['cpu', 'wasm']) {
        expect(relativeError(result[backend]!.dx!, array('res3x3s1/dx'))).toBeLessThan(1e-5);
        expect(relativeError(result[backend]!.dfilter!, array('res3x3s1/dfilter'))).toBeLessThan(1e-5);
        expect(relativeError(result[backend]!.dtable!, array('gather/dtable'))).toBeLessThan(1e-5);
      }
    });
  }

  it('without the entry, plain node has no gradients (what the entry fixes)', () => {
    const code = [
      "require('@tensorflow/tfjs-backend-cpu');",
      "const tf = require('@tensorflow/tfjs-core');",
      "tf.setBackend('cpu').then(() => { try { tf.grad((x) => tf.sum(tf.conv2d(x, tf.ones([1, 1, 1, 1]), 1, 'same')))(tf.ones([1, 2, 2, 1])); console.log('ok'); } catch (e) { console.log(String(e.message)); } });",
    ].join('\n');
    const run = spawnSync(process.execPath, ['-e', code], {
      cwd: packageDir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout).toMatch(/gradient function not found for \w+/);
  });
});
