import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSyntheticDataset } from '@rcnn/synth-data';
import { describe, expect, it } from 'vitest';
import { runCli as run, temporaryDirectory } from '../test-support/run-cli';

describe('rcnn dataset synth', () => {
  it('writes images/*.png and instances.json as the generator makes them, and says what it wrote', async () => {
    const out = join(temporaryDirectory(), 'synth');
    const { code, stdout, stderr } = await run(
      'dataset',
      'synth',
      '--seed',
      '3',
      '--count',
      '3',
      '--out',
      out,
      '--split',
      'val',
      '--min-size',
      '96',
      '--max-size',
      '128',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const coco = JSON.parse(readFileSync(join(out, 'instances.json'), 'utf8'));
    const expected = generateSyntheticDataset({
      seed: 3,
      count: 3,
      split: 'val',
      minImageSize: 96,
      maxImageSize: 128,
    });
    expect(coco).toEqual(expected.coco);
    expect(readdirSync(join(out, 'images')).sort()).toEqual(['000001.png', '000002.png', '000003.png']);
    expect(stdout).toMatch(
      new RegExp(`^wrote 3 images and ${coco.annotations.length} instances \\(disc \\d+,`),
    );
  });

  it('is listed in rcnn --help and has its own help', async () => {
    const list = await run('--help');
    expect(list.stdout).toMatch(/^ {2}dataset +synth: /m);
    const help = await run('dataset', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: rcnn dataset synth --seed S --count N --out DIR');
    expect(help.stdout).toMatch(/--min-size PX +smallest image side/);
  });

  it('refuses a missing subcommand, a bad number and a missing --out with usage errors', async () => {
    const noSubcommand = await run('dataset', '--seed', '1', '--count', '1', '--out', 'x');
    expect(noSubcommand.code).toBe(2);
    expect(noSubcommand.stderr).toContain('missing subcommand');
    const badCount = await run('dataset', 'synth', '--seed', '1', '--count', '2.5', '--out', 'x');
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain('--count must be a non-negative integer');
    const noOut = await run('dataset', 'synth', '--seed', '1', '--count', '1');
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out');
    expect(existsSync('x')).toBe(false);
  });

  it('reports out-of-range generator options as input errors', async () => {
    const out = join(temporaryDirectory(), 'bad');
    const { code, stderr } = await run(
      'dataset',
      'synth',
      '--seed',
      '1',
      '--count',
      '1',
      '--out',
      out,
      '--min-size',
      '8',
    );
    expect(code).toBe(1);
    expect(stderr).toContain('minImageSize must be an integer >= 16');
  });
});
