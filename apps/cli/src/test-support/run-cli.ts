import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScenePng } from '../../scripts/demo-scene';
import type { CliIo } from '../command';
import { main, nodeIo } from '../main';

/** Runs `rcnn ...argv` in this process with real files, capturing stdout and stderr (not a terminal). */
export async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliWith({}, ...argv);
}

/** {@link runCli} with parts of the I/O replaced (e.g. `{ stderrIsTty: true }` to see the live progress). */
export async function runCliWith(
  overrides: Partial<CliIo>,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    ...nodeIo,
    stderrIsTty: false,
    ...overrides,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** A fresh temporary directory. */
export function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'rcnn-cli-'));
}

/** Writes the demo scene at `width` x `height` as a PNG into `directory`; returns its path. */
export function writeDemoImage(directory: string, width: number, height: number, name = 'scene.png'): string {
  const path = join(directory, name);
  writeFileSync(path, demoScenePng(width, height));
  return path;
}

/**
 * Options that keep a ResNet-18 detector cheap on a 64x48 image: a 96x64 padded batch and 50
 * proposals (the box head's first layer is 12.8 GFLOP for torchvision's 1000).
 */
export const SMALL_MODEL_OPTIONS = [
  '--min-size',
  '64',
  '--max-size',
  '96',
  '--rpn-pre-nms-top-n-test',
  '100',
  '--rpn-post-nms-top-n-test',
  '50',
];
