import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '@rcnn/core';
import { MODEL_RECORD_KEY, parseModelRecord } from '@rcnn/models';
import { writeSyntheticDataset } from '@rcnn/synth-data/node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CocoResult } from '../coco-results';
import { runCli, temporaryDirectory } from '../test-support/run-cli';
import type { ImageResult } from './predict-json';

// `rcnn train` (one step of a tiny Mask R-CNN on a synthetic set) -> `rcnn convert --dtype
// float16` -> `rcnn predict` with no --arch and no model flags: everything comes from the record.
const TINY = [
  '--backbone-base-channels',
  '8',
  '--fpn-out-channels',
  '16',
  '--box-representation-size',
  '32',
  '--mask-head-channels',
  '16',
  '--rpn-anchor-sizes',
  '8,16,32,64,128',
  '--min-size',
  '48,64',
  '--max-size',
  '96',
  '--rpn-post-nms-top-n-test',
  '50',
  '--box-score-thresh',
  '0',
  '--box-detections-per-img',
  '6',
];

let directory: string;
let gt: string;
let imageDirectory: string;
let image: string;
let checkpoint: string;
let half: string;
let names: string[];

/** One training step of the tiny model into `out` (extra flags choose the weights); returns the checkpoint. */
async function trainOneStep(out: string, ...extra: string[]): Promise<string> {
  const trained = await runCli(
    'train',
    '--arch',
    'maskrcnn_resnet18_fpn',
    '--train-json',
    gt,
    '--train-images',
    imageDirectory,
    '--out',
    out,
    '--iterations',
    '1',
    '--batch-size',
    '1',
    '--workers',
    '0',
    '--check-images',
    'none',
    ...TINY,
    ...extra,
  );
  expect(trained.code, trained.stderr).toBe(0);
  return join(out, 'checkpoint-0000001.safetensors');
}

function predictJson(weights: string, ...extra: string[]): Promise<{ code: number; stderr: string }> {
  return runCli('predict', '--weights', weights, '--image', image, ...extra);
}

beforeAll(async () => {
  directory = temporaryDirectory();
  const set = await writeSyntheticDataset(join(directory, 'train'), {
    seed: 5,
    count: 2,
    split: 'train',
    minImageSize: 48,
    maxImageSize: 64,
    maxObjects: 2,
  });
  gt = set.annotationFile;
  imageDirectory = set.imageDirectory;
  const coco = JSON.parse(readFileSync(gt, 'utf8'));
  names = coco.categories.map((category: { name: string }) => category.name);
  image = join(imageDirectory, coco.images[0].file_name);
  checkpoint = await trainOneStep(join(directory, 'run'), '--weights', 'deterministic', '--lr', '0.001');
  half = join(directory, 'half.safetensors');
  const converted = await runCli('convert', '--weights', checkpoint, '--out', half, '--dtype', 'float16');
  expect(converted.code, converted.stderr).toBe(0);
  expect(converted.stderr).toContain(`(float16, `);
}, 300_000);

describe('model records', () => {
  it('rcnn train writes the record; convert keeps it at float16; predict needs no --arch and prints its names', async () => {
    const record = parseModelRecord(
      readSafetensors(readFileSync(checkpoint)).metadata[MODEL_RECORD_KEY] ?? 'missing',
    );
    expect(record).toMatchObject({
      architecture: 'maskrcnn_resnet18_fpn',
      options: { numClasses: names.length + 1, fpnOutChannels: 16, minSize: [48, 64], boxScoreThresh: 0 },
      categoryNames: names,
    });
    const file = readSafetensors(readFileSync(half));
    expect(parseModelRecord(file.metadata[MODEL_RECORD_KEY]!)).toEqual(record);
    const bytes = readFileSync(half);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    expect(header['backbone.body.conv1.weight'].dtype).toBe('F16');
    expect(readFileSync(half).length).toBeLessThan(readFileSync(checkpoint).length * 0.55);

    const outJson = join(directory, 'half.json');
    const { code, stderr } = await predictJson(
      half,
      '--out-json',
      outJson,
      '--out-image',
      join(directory, 'half.png'),
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(
      `maskrcnn_resnet18_fpn (model record: ${names.length} classes: ${names.join(', ')})`,
    );
    const [result] = JSON.parse(readFileSync(outJson, 'utf8')) as ImageResult[];
    expect(result!.instances).toHaveLength(6);
    for (const instance of result!.instances) expect(instance.categoryName).toBe(names[instance.label - 1]);
    const summary = stderr.split('\n').find((line) => line.startsWith('[1/1]'))!;
    // Untrained scores: none reaches the default 0.5 at which detections are drawn and counted.
    expect(summary).toMatch(/: 6 instances, [\d.]+ s; none scoring >= 0.5$/);
  });

  it('rcnn bench takes the architecture and options from the record too', async () => {
    const { code, stdout, stderr } = await runCli(
      'bench',
      '--weights',
      half,
      '--image',
      image,
      '--runs',
      '1',
      '--warmup',
      '0',
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^maskrcnn_resnet18_fpn on \w+, \d+x\d+, 6 instances: median of 1 runs/);
  });

  it('predicts from float16 weights exactly as from the same rounded weights stored as float32', async () => {
    const file = readSafetensors(readFileSync(half));
    const wide = join(directory, 'wide.safetensors');
    writeFileSync(wide, writeSafetensors(file.tensors, file.metadata));
    const outputs: unknown[] = [];
    for (const weights of [half, wide]) {
      const outJson = join(directory, 'out.json');
      const { code, stderr } = await predictJson(weights, '--out-json', outJson);
      expect(code, stderr).toBe(0);
      outputs.push(JSON.parse(readFileSync(outJson, 'utf8')));
    }
    expect(outputs[0]).toEqual(outputs[1]);
  });

  it('maps labels to the recorded category ids in --coco-results', async () => {
    const file = readSafetensors(readFileSync(checkpoint));
    const record = parseModelRecord(file.metadata[MODEL_RECORD_KEY]!);
    const ids = record.categoryNames.map((_, i) => 101 + i);
    const renumbered = join(directory, 'renumbered.safetensors');
    const metadata = { [MODEL_RECORD_KEY]: JSON.stringify({ ...record, categoryIds: ids }) };
    writeFileSync(renumbered, writeSafetensors(file.tensors, metadata));
    const results = join(directory, 'results.json');
    const { code, stderr } = await runCli(
      'predict',
      '--weights',
      renumbered,
      '--images',
      imageDirectory,
      '--coco-results',
      results,
    );
    expect(code, stderr).toBe(0);
    const list = JSON.parse(readFileSync(results, 'utf8')) as CocoResult[];
    expect(list.length).toBeGreaterThan(0);
    for (const entry of list) expect(ids).toContain(entry.category_id);
    // Against ground truth that lacks those ids: a one-line input error.
    const other = await runCli(
      'predict',
      '--weights',
      renumbered,
      '--coco-gt',
      gt,
      '--images',
      imageDirectory,
      '--coco-results',
      results,
    );
    expect([other.code, other.stderr.trim().split('\n').at(-1)]).toEqual([
      1,
      expect.stringMatching(/model record has category ids 101, .*which --coco-gt does not have/),
    ]);
  });

  it('refuses flags that contradict the record, and a file with neither record nor --arch (usage errors)', async () => {
    const outJson = join(directory, 'never.json');
    const classes = await predictJson(half, '--out-json', outJson, '--num-classes', '3');
    expect([classes.code, classes.stderr.split('\n')[0]]).toEqual([
      2,
      `rcnn predict: --num-classes 3 contradicts --weights ${half}, whose model record says ${names.length + 1} (leave --num-classes out)`,
    ]);
    const arch = await predictJson(half, '--out-json', outJson, '--arch', 'fasterrcnn_resnet18_fpn');
    expect(arch.code).toBe(2);
    expect(arch.stderr).toMatch(/--arch fasterrcnn_resnet18_fpn contradicts .* says maskrcnn_resnet18_fpn/);
    const plain = join(directory, 'plain.safetensors');
    writeFileSync(plain, writeSafetensors(readSafetensors(readFileSync(half)).tensors));
    const bare = await predictJson(plain, '--out-json', outJson);
    expect([bare.code, bare.stderr.split('\n')[0]]).toEqual([
      2,
      `rcnn predict: --arch is required: --weights ${plain} has no "rcnn.model" record saying what model it is`,
    ]);
  });

  it('converts a checkpoint without a record (an older rcnn train) from --arch, the flags and its label map', async () => {
    const file = readSafetensors(new Uint8Array(readFileSync(checkpoint)));
    const { [MODEL_RECORD_KEY]: _, ...older } = file.metadata;
    const old = join(directory, 'checkpoint-0000009.safetensors');
    writeFileSync(old, writeSafetensors(file.tensors, older));
    const out = join(directory, 'from-old.safetensors');
    const withoutArch = await runCli('convert', '--weights', old, '--out', out);
    expect(withoutArch.code).toBe(2);
    expect(withoutArch.stderr).toContain('--arch is required');
    const shapes = TINY.slice(0, 8); // the four width flags
    const wrongCount = await runCli(
      'convert',
      '--arch',
      'maskrcnn_resnet18_fpn',
      '--weights',
      old,
      '--out',
      out,
      ...shapes,
      '--category-names',
      'a,b',
    );
    expect(wrongCount.code).toBe(2);
    expect(wrongCount.stderr).toContain(
      `rcnn convert: --category-names has 2 names, but the model has ${names.length} classes besides background\n`,
    );
    const converted = await runCli(
      'convert',
      '--arch',
      'maskrcnn_resnet18_fpn',
      '--weights',
      old,
      '--out',
      out,
      ...shapes,
      '--min-size',
      '64',
    );
    expect(converted.code, converted.stderr).toBe(0);
    const record = parseModelRecord(
      readSafetensors(new Uint8Array(readFileSync(out))).metadata[MODEL_RECORD_KEY]!,
    );
    const labelMap = JSON.parse(older['rcnn.train']!).labelMap;
    expect(record).toEqual({
      architecture: 'maskrcnn_resnet18_fpn',
      options: {
        backboneBaseChannels: 8,
        fpnOutChannels: 16,
        boxRepresentationSize: 32,
        maskHeadChannels: 16,
        minSize: 64,
        numClasses: names.length + 1,
      },
      categoryNames: labelMap.names,
      categoryIds: labelMap.categoryIds,
    });
  });

  it.each([
    ['{"architecture": "maskrcnn_resnet18_fpn"', /not valid JSON/],
    ['{"architecture": "maskrcnn_resnet18_fpn", "categoryNames": []}', /missing "options"/],
    [
      '{"architecture": "resnet", "options": {"numClasses": 1}, "categoryNames": []}',
      /unknown architecture 'resnet'/,
    ],
  ])('refuses a malformed record %s with one line, exit 1', async (text, message) => {
    const bad = join(directory, 'bad.safetensors');
    writeFileSync(
      bad,
      writeSafetensors(readSafetensors(readFileSync(half)).tensors, { [MODEL_RECORD_KEY]: text }),
    );
    for (const command of ['predict', 'convert']) {
      const out = join(directory, command === 'predict' ? 'bad.json' : 'bad-out.safetensors');
      const flag = command === 'predict' ? ['--image', image, '--out-json', out] : ['--out', out];
      const { code, stderr } = await runCli(command, '--weights', bad, ...flag);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(
        new RegExp(
          `^rcnn ${command}: --weights .*bad\\.safetensors: "rcnn\\.model" record: .*${message.source}`,
        ),
      );
    }
  });

  it('rcnn train --weights init draws the starting weights from --seed: the same seed, the same run', async () => {
    const trainFromScratch = async (seed: string, name: string) => {
      const saved = await trainOneStep(join(directory, name), '--weights', 'init', '--seed', seed);
      return readSafetensors(readFileSync(saved)).tensors;
    };
    const first = await trainFromScratch('9', 'seed-9-a');
    const again = await trainFromScratch('9', 'seed-9-b');
    const other = await trainFromScratch('10', 'seed-10');
    const conv1 = 'backbone.body.conv1.weight';
    for (const [name, tensor] of first) expect(again.get(name)?.data, name).toEqual(tensor.data);
    expect(other.get(conv1)?.data).not.toEqual(first.get(conv1)!.data);
  }, 120_000);
});
