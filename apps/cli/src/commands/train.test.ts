import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, temporaryDirectory } from '../test-support/run-cli';

const required = (directory: string) => [
  '--arch',
  'fasterrcnn_resnet18_fpn',
  '--train-json',
  join(directory, 'train.json'),
  '--train-images',
  directory,
  '--out',
  join(directory, 'out'),
];

describe('rcnn train', () => {
  it('names its flags as torchvision train.py does', async () => {
    const { code, stdout, stderr } = await runCli('train', '--help');
    expect(code, stderr).toBe(0);
    for (const flag of [
      '--lr ',
      '--momentum',
      '--weight-decay',
      '--batch-size',
      '--lr-steps',
      '--lr-gamma',
      '--warmup-iters',
      '--iterations',
      '--resume',
      '--config',
      '--val-json',
      '--seed',
    ]) {
      expect(stdout + stderr).toContain(flag);
    }
  });

  it('refuses bad settings from flags and config files before any work, naming them', async () => {
    const directory = temporaryDirectory();
    const badNumber = await runCli('train', ...required(directory), '--iterations', 'many');
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--iterations must be a number');

    const config = join(directory, 'config.json');
    writeFileSync(config, JSON.stringify({ lr: 0.01, 'lr-stepz': [3] }));
    const badKey = await runCli('train', ...required(directory), '--iterations', '4', '--config', config);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('unknown key "lr-stepz"');

    const both = await runCli(
      'train',
      ...required(directory),
      '--iterations',
      '4',
      '--weights',
      'a.pth',
      '--init-from',
      'b.pth',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--weights and --init-from exclude each other');

    const halfVal = await runCli('train', ...required(directory), '--iterations', '4', '--val-json', config);
    expect(halfVal.code).toBe(2);
    expect(halfVal.stderr).toContain('--val-json and --val-images go together');
  });

  it('reports a dataset problem as an input error (exit 1) naming the file', async () => {
    const directory = temporaryDirectory();
    writeFileSync(join(directory, 'train.json'), JSON.stringify({ images: [], categories: [] }));
    const { code, stderr } = await runCli(
      'train',
      ...required(directory),
      '--iterations',
      '4',
      '--backend',
      'cpu',
    );
    expect(code).toBe(1);
    expect(stderr).toContain(`${join(directory, 'train.json')}: "categories" is empty`);
  });
});
