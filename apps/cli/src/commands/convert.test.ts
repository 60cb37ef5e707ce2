import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import { runCli, SMALL_MODEL_OPTIONS, temporaryDirectory, writeDemoImage } from '../test-support/run-cli';

describe('rcnn convert', () => {
  it('saves torchvision-named safetensors that predict reads back to the same detections', async () => {
    const directory = temporaryDirectory();
    const weights = join(directory, 'keypoint.safetensors');
    const converted = await runCli(
      'convert',
      '--arch',
      'keypointrcnn_resnet18_fpn',
      '--weights',
      'deterministic',
      '--out',
      weights,
    );
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stderr).toMatch(/all \d+ entries matched; wrote .*keypoint\.safetensors/);
    const saved = readSafetensors(new Uint8Array(readFileSync(weights)));
    expect(saved.tensors.get('roi_heads.keypoint_predictor.kps_score_lowres.weight')?.shape).toEqual([
      512, 17, 4, 4,
    ]);
    expect(saved.tensors.get('backbone.body.conv1.weight')?.shape).toEqual([64, 3, 7, 7]);

    const image = writeDemoImage(directory, 64, 48);
    const outputs: unknown[] = [];
    for (const source of ['deterministic', weights]) {
      const outJson = join(directory, 'out.json');
      const { code, stderr } = await runCli(
        'predict',
        '--arch',
        'keypointrcnn_resnet18_fpn',
        '--weights',
        source,
        // The file carries no deterministic defaults: give the same thresholds to both.
        '--box-score-thresh',
        '0',
        '--box-detections-per-img',
        '5',
        '--image',
        image,
        '--out-json',
        outJson,
        ...SMALL_MODEL_OPTIONS,
      );
      expect(code, stderr).toBe(0);
      outputs.push(JSON.parse(readFileSync(outJson, 'utf8')));
    }
    expect(outputs[1]).toEqual(outputs[0]);
  });

  it('reports missing and unexpected entries of a checkpoint that does not fit, exit 1', async () => {
    const directory = temporaryDirectory();
    const weights = join(directory, 'wrong.safetensors');
    const entries = new Map([
      [
        'backbone.body.conv1.weight',
        { dtype: 'float32' as const, shape: [64, 3, 7, 7], data: new Float32Array(64 * 147) },
      ],
      ['head.extra', { dtype: 'float32' as const, shape: [2], data: new Float32Array(2) }],
    ]);
    writeFileSync(weights, writeSafetensors(entries));
    const { code, stderr } = await runCli(
      'convert',
      '--arch',
      'fasterrcnn_resnet18_fpn',
      '--weights',
      weights,
      '--out',
      join(directory, 'out.safetensors'),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /does not fit fasterrcnn_resnet18_fpn: .*missing \d+: .*unexpected 1: head\.extra/,
    );
  });

  it('says what a file that is no checkpoint is, exit 1', async () => {
    const directory = temporaryDirectory();
    const weights = join(directory, 'notes.pth');
    writeFileSync(weights, 'hello');
    const { code, stderr } = await runCli(
      'convert',
      '--arch',
      'fasterrcnn_resnet18_fpn',
      '--weights',
      weights,
      '--out',
      join(directory, 'out.safetensors'),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/--weights .*notes\.pth: not a readable \.pth or \.safetensors state_dict/);
  });
});
