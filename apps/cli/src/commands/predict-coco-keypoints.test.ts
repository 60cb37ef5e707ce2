import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { categoryIdOf, STAR_KEYPOINT_SIGMAS } from '@rcnn/synth-data';
import { writeSyntheticDataset } from '@rcnn/synth-data/node';
import { describe, expect, it } from 'vitest';
import type { CocoResult } from '../coco-results';
import { runCli, SMALL_MODEL_OPTIONS, temporaryDirectory } from '../test-support/run-cli';
import type { ImageResult } from './predict-json';

describe('rcnn predict --coco-results for keypoint R-CNN', () => {
  it('writes flat [x, y, 1] keypoints beside the box, the same points as --out-json, and eval reads it', async () => {
    const directory = temporaryDirectory();
    const dataset = await writeSyntheticDataset(join(directory, 'val'), {
      seed: 7, // two stars: keypoint evaluation has ground truth to match
      count: 2,
      split: 'val',
      minImageSize: 48,
      maxImageSize: 64,
      maxObjects: 2,
    });
    const results = join(directory, 'results.json');
    const plain = join(directory, 'plain.json');
    const predict = await runCli(
      'predict',
      '--arch',
      'keypointrcnn_resnet18_fpn',
      '--weights',
      'deterministic',
      '--num-classes',
      '7',
      '--num-keypoints',
      '6',
      ...SMALL_MODEL_OPTIONS,
      '--coco-gt',
      dataset.annotationFile,
      '--images',
      dataset.imageDirectory,
      '--coco-results',
      results,
      '--out-json',
      plain,
      '--quiet',
    );
    expect(predict.code, predict.stderr).toBe(0);
    const coco = JSON.parse(readFileSync(results, 'utf8')) as CocoResult[];
    const own = JSON.parse(readFileSync(plain, 'utf8')) as ImageResult[];
    const instances = own.flatMap((image) => image.instances);
    expect(coco).toHaveLength(instances.length);
    expect(coco.length).toBeGreaterThan(0);
    coco.forEach((result, i) => {
      const instance = instances[i]!;
      expect(result.segmentation).toBeUndefined();
      expect(result.keypoints).toEqual(instance.keypoints!.flatMap(([x, y]) => [x, y, 1]));
      expect(result.keypoints).toHaveLength(18);
      const [x1, y1] = instance.box;
      expect(result.bbox.slice(0, 2)).toEqual([x1, y1]);
      expect(result.score).toBe(instance.score);
    });
    const evaluation = await runCli(
      'eval',
      '--gt',
      dataset.annotationFile,
      '--dt',
      results,
      '--iou-type',
      'bbox',
    );
    expect(evaluation.code, evaluation.stderr).toBe(0);
    expect(evaluation.stdout.trimEnd().split('\n')).toHaveLength(12);
    // Stars carry 6 keypoints: evaluated with their own OKS sigmas, as pycocotools' kpt_oks_sigmas.
    const keypointArgs = ['eval', '--gt', dataset.annotationFile, '--dt', results, '--iou-type', 'keypoints'];
    const stars = ['--cat-ids', String(categoryIdOf('star'))];
    const sigmas = ['--kpt-oks-sigmas', STAR_KEYPOINT_SIGMAS.join(',')];
    const gt = JSON.parse(readFileSync(dataset.annotationFile, 'utf8'));
    expect(gt.annotations.filter((a: { keypoints?: number[] }) => a.keypoints?.length === 18)).toHaveLength(
      2,
    );
    const keypoints = await runCli(...keypointArgs, ...stars, ...sigmas);
    expect(keypoints.code, keypoints.stderr).toBe(0);
    expect(keypoints.stdout.trimEnd().split('\n')).toHaveLength(10);
    const cocoSigmas = await runCli(...keypointArgs, ...stars);
    expect(cocoSigmas.code).toBe(1);
    expect(cocoSigmas.stderr).toMatch(/^rcnn eval: invalid input .*keypoints/);
    const bad = await runCli(...keypointArgs, ...stars, '--kpt-oks-sigmas', '0.05,0,0.05');
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([
      2,
      "rcnn eval: --kpt-oks-sigmas must be positive numbers, got '0.05,0,0.05'",
    ]);
  });
});
