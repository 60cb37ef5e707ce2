import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SMALL_MODEL_OPTIONS, temporaryDirectory, writeDemoImage } from '../test-support/run-cli';

describe('rcnn bench', () => {
  it('writes the median and per-stage medians after a warm-up', async () => {
    const directory = temporaryDirectory();
    const image = writeDemoImage(directory, 64, 48);
    const out = join(directory, 'bench.json');
    const { code, stdout, stderr } = await runCli(
      'bench',
      '--arch',
      'maskrcnn_resnet18_fpn',
      '--weights',
      'deterministic',
      '--image',
      image,
      '--runs',
      '3',
      '--backend',
      'wasm',
      '--json',
      out,
      ...SMALL_MODEL_OPTIONS,
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/warmup 1\/1: [\d.]+ s\n/);
    expect(stderr).toMatch(/run 3\/3: [\d.]+ s\n/);
    expect(stdout).toMatch(/maskrcnn_resnet18_fpn on wasm, 64x48, 10 instances: median of 3 runs [\d.]+ ms/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({
      backend: 'wasm',
      runs: 3,
      warmup: 1,
      instances: 10,
      width: 64,
      height: 48,
    });
    expect(Object.keys(report.stages_ms)).toEqual([
      'transform',
      'backbone',
      'rpn',
      'roi_heads',
      'postprocess',
    ]);
    for (const milliseconds of Object.values(report.stages_ms) as number[])
      expect(milliseconds).toBeGreaterThan(0);
    expect(report.runs_ms).toHaveLength(3);
    const sorted = [...report.runs_ms].sort((a: number, b: number) => a - b);
    expect(report.median_ms).toBe(sorted[1]);
    // The stages are consecutive parts of a run, so their medians add up to about the median run.
    const stageSum = (Object.values(report.stages_ms) as number[]).reduce((a, b) => a + b, 0);
    expect(stageSum).toBeLessThanOrEqual(sorted[2] * 1.01);
    expect(stageSum).toBeGreaterThan(sorted[0] * 0.5);
  });

  it('rejects a bad --runs with exit 2', async () => {
    const { code, stderr } = await runCli(
      'bench',
      '--arch',
      'fasterrcnn_resnet18_fpn',
      '--weights',
      'deterministic',
      '--image',
      'x.png',
      '--runs',
      '0',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/--runs must be an integer >= 1, got '0'/);
  });
});
