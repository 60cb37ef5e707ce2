/**
 * `predict` of the three R50-FPN presets on one 120x160 image (resized to 128x170, the parity
 * fixture's image 0 and options: 1000 proposals, 5 classes / 2 for keypoints, up to 100 / 20 / 8
 * detections), per stage, on the current backend (wasm by default, single-threaded in Node),
 * beside torchvision on the CPU with one thread, in one script.
 * Run: `pnpm bench` (or `npx vite-node --config vitest.config.ts bench/predict-bench.ts [--runs 3] [--threads 1]`).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { disposeDetections } from '../src/detector-instances';
import type { PredictStage } from '../src/generalized-rcnn';
import {
  type FixtureName,
  fixtureImages,
  fixtureModel,
  modelFixture,
} from '../src/test-support/model-fixture';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const runs = Number(argument('runs', '3'));
const threads = Number(argument('threads', '1'));
const PRESETS: FixtureName[] = [
  'fasterrcnn_resnet50_fpn',
  'maskrcnn_resnet50_fpn',
  'keypointrcnn_resnet50_fpn',
];
const STAGES: PredictStage[] = ['transform', 'backbone', 'rpn', 'roiHeads', 'postprocess'];

async function benchmarkOurs(name: FixtureName) {
  const fixture = modelFixture(name);
  const model = fixtureModel(fixture);
  const [image, other] = fixtureImages(fixture);
  other!.dispose();
  const runsOf: { total: number; stages: Record<string, number>; count: number }[] = [];
  for (let i = 0; i <= runs; i++) {
    const stages: Record<string, number> = {};
    const start = performance.now();
    const [detections] = await model.predict(image!, { onStage: (stage, ms) => (stages[stage] = ms) });
    const total = performance.now() - start;
    const count = detections!.boxes.shape[0];
    disposeDetections([detections!]);
    if (i > 0) runsOf.push({ total, stages, count }); // the first run warms the kernels up
  }
  image!.dispose();
  model.dispose();
  runsOf.sort((a, b) => a.total - b.total);
  return runsOf[Math.floor(runsOf.length / 2)]!;
}

function benchmarkTorch() {
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-pthread',
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
  };
  const result = spawnSync(
    '/usr/bin/python3',
    [join(here, 'torchvision_predict.py'), String(runs), String(threads)],
    {
      env,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`torchvision benchmark failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
    presets: Record<string, { totalMs: number; stagesMs: Record<string, number> }>;
  };
}

async function main(): Promise<void> {
  await tf.setBackend(process.env.BACKEND ?? 'wasm');
  await tf.ready();
  const torch = benchmarkTorch();
  console.log(
    `ours: ${tf.getBackend()}; torchvision: CPU, ${threads} thread(s); median of ${runs} runs (ms)\n`,
  );
  console.log(`| preset | side | ${STAGES.join(' | ')} | total | detections |`);
  console.log(`| --- | --- | ${STAGES.map(() => '---:').join(' | ')} | ---: | ---: |`);
  for (const name of PRESETS) {
    const ours = await benchmarkOurs(name);
    const theirs = torch.presets[name]!;
    const row = (side: string, stages: Record<string, number>, total: number, count: string) =>
      `| ${name} | ${side} | ${STAGES.map((s) => (stages[s] ?? 0).toFixed(0)).join(' | ')} | ${total.toFixed(0)} | ${count} |`;
    console.log(row(`ours (${tf.getBackend()})`, ours.stages, ours.total, String(ours.count)));
    console.log(row('torchvision', theirs.stagesMs, theirs.totalMs, ''));
    console.log(
      `| | ratio | ${STAGES.map((s) => ((ours.stages[s] ?? 0) / theirs.stagesMs[s]!).toFixed(1)).join(' | ')} | ${(ours.total / theirs.totalMs).toFixed(1)} | |`,
    );
  }
}

await main();
