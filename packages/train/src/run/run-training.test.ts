import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImagePixels, readSafetensors } from '@rcnn/core';
import { useBackend } from '@rcnn/test-utils';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyCoco } from '../__test-helpers__/tiny-coco';
import { ToyDetector } from '../__test-helpers__/toy-detector';
import { readCsvLog } from '../log/csv-log';
import { type ModelSpec, runTraining } from './run-training';
import { resolveTrainingConfig } from './training-config';

beforeAll(() => useBackend('cpu'));

describe('runTraining', () => {
  const { directory } = writeTinyCoco();
  const flags = (out: string, extra: Record<string, unknown> = {}) =>
    resolveTrainingConfig(
      { 'train-json': join(directory, 'train.json'), 'train-images': join(directory, 'images'), out },
      {
        iterations: '6',
        'batch-size': '2',
        'warmup-iters': '2',
        'lr-steps': '4',
        lr: '0.05',
        'checkpoint-every': '3',
      },
      {
        'min-sizes': '20,24',
        'crop-probability': '0.3',
        workers: '0',
        'print-freq': '2',
        seed: '3',
        ...extra,
      },
    );
  const specs: ModelSpec[] = [];
  const create = (spec: ModelSpec) => {
    specs.push(spec);
    return new ToyDetector();
  };

  it('trains on a COCO folder with checkpoints, CSV log and loss curve; a resumed run ends on the same weights', async () => {
    const lines: string[] = [];
    const straightOut = join(directory, 'straight');
    const straight = await runTraining({
      config: flags(straightOut),
      createModel: create,
      checkpointMetadata: (spec) => ({ 'rcnn.model': JSON.stringify({ names: spec.labelMap.names }) }),
      log: (l) => lines.push(l),
    });
    expect(straight.stopped).toBe('completed');
    expect(specs[0]).toMatchObject({ numClasses: 3, numKeypoints: 5, masks: true });
    expect(lines[0]).toBe(
      `${join(directory, 'train.json')}: 4 images, 2 categories, 1 images without annotations skipped, 2 crowd annotations ignored`,
    );
    expect(lines.filter((l) => l.startsWith('['))).toHaveLength(3);
    const { rows } = readCsvLog(readFileSync(join(straightOut, 'log.csv'), 'utf8'));
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(decodeImagePixels(readFileSync(join(straightOut, 'loss-curve.png'))).width).toBe(640);
    expect(
      readdirSync(straightOut)
        .filter((f) => f.endsWith('.safetensors'))
        .sort(),
    ).toEqual([
      'checkpoint-0000003.optimizer.safetensors',
      'checkpoint-0000003.safetensors',
      'checkpoint-0000006.optimizer.safetensors',
      'checkpoint-0000006.safetensors',
    ]);
    const { metadata } = readSafetensors(readFileSync(join(straightOut, 'checkpoint-0000006.safetensors')));
    expect(JSON.parse(metadata['rcnn.model']!)).toEqual({ names: specs[0]!.labelMap.names });

    // Stop after 4 (past the checkpoint at 3), resume from the directory: data, augmentation and
    // optimizer state continue exactly, and the log drops the step after the checkpoint.
    const resumedOut = join(directory, 'resumed');
    const controller = new AbortController();
    const first = await runTraining({
      config: flags(resumedOut, { 'checkpoint-every': '3' }),
      createModel: create,
      log: (l) => l.startsWith('[4/') && controller.abort(),
      signal: controller.signal,
    });
    expect(first).toMatchObject({ stopped: 'interrupted', iteration: 4 });
    const second = await runTraining({
      config: flags(resumedOut, { resume: join(resumedOut, 'checkpoint-0000003.safetensors') }),
      createModel: create,
      log: () => {},
    });
    expect(second.stopped).toBe('completed');
    for (const [name, v] of straight.model.trainableVariables()) {
      const other = second.model.trainableVariables().get(name);
      expect(Array.from((await other?.data()) ?? []), name).toEqual(Array.from(await v.data()));
    }
    const resumedRows = readCsvLog(readFileSync(join(resumedOut, 'log.csv'), 'utf8')).rows;
    expect(resumedRows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(resumedRows.map((r) => r[2])).toEqual(rows.map((r) => r[2]));
    for (const m of [straight.model, first.model, second.model]) (m as ToyDetector).dispose();
  });

  it('refuses to resume on a dataset with other categories', async () => {
    const other = writeTinyCoco();
    const json = JSON.parse(readFileSync(join(other.directory, 'train.json'), 'utf8'));
    json.categories[0].id = 8;
    for (const a of json.annotations) if (a.category_id === 7) a.category_id = 8;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(other.directory, 'train.json'), JSON.stringify(json));
    const config = resolveTrainingConfig({
      'train-json': join(other.directory, 'train.json'),
      'train-images': join(other.directory, 'images'),
      out: join(other.directory, 'o'),
      iterations: 6,
      resume: join(directory, 'straight'),
      workers: 0,
    });
    await expect(runTraining({ config, createModel: create, log: () => {} })).rejects.toThrow(
      /other categories/,
    );
  });
});

describe('resolveTrainingConfig', () => {
  it('layers defaults, a config file and flags; names unknown keys and bad values', () => {
    const c = resolveTrainingConfig(
      { 'train-json': 'a.json', 'train-images': 'img', out: 'o', iterations: 10, lr: 0.01 },
      { lr: '0.005', 'lr-steps': '6,8' },
    );
    expect(c).toMatchObject({
      lr: 0.005,
      lrSteps: [6, 8],
      momentum: 0.9,
      weightDecay: 1e-4,
      batchSize: 2,
      warmupIters: 1000,
    });
    expect(() =>
      resolveTrainingConfig({ 'train-json': 'a', 'train-images': 'b', out: 'o', iterations: 1, lrr: 1 }),
    ).toThrow(/unknown training setting "lrr"/);
    expect(() =>
      resolveTrainingConfig({ 'train-json': 'a', 'train-images': 'b', out: 'o', iterations: 'x' }),
    ).toThrow(/--iterations must be a number/);
    expect(() => resolveTrainingConfig({ 'train-json': 'a', out: 'o', iterations: 1 })).toThrow(
      /--train-images is required/,
    );
  });
});
