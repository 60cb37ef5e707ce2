/**
 * End to end at 800x800: each R50-FPN preset with deterministic weights, ours on tfjs wasm in
 * Node (through the same code `rcnn bench` runs: loadDetector + benchmarkPredict; with
 * @rcnn/kernels-native's oneDNN kernels where the addon loads) beside torchvision on the CPU,
 * each at 1 and 2 threads, per stage, in one script.
 * Run from apps/cli: `npx pnpm@9.15.9 bench` or
 * `npx vite-node --config vitest.config.ts bench/e2e.ts [--runs 3] [--warmup 1] [--presets a,b]
 * [--threads 1,2] [--profile maskrcnn_resnet50_fpn] [--size 800]`.
 * Writes bench-results/e2e.json (gitignored) and prints markdown tables (docs/benchmarks/models.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { demoScenePng, renderDemoScene } from '../scripts/demo-scene';
import { activateBackend, nativeKernelsSummary } from '../src/activate-backend';
import { benchmarkPredict } from '../src/benchmark-predict';
import { detectImage } from '../src/detect-image';
import { architectureFrom, loadDetector } from '../src/load-detector';
import { nodeIo } from '../src/main';
import { imageTensor, readImage } from '../src/read-image';
import { type PresetReport, printReport } from './e2e-report';
import { instrumentStages } from './instrument-stages';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const size = Number(argument('size', '800'));
const runs = Number(argument('runs', '3'));
const warmup = Number(argument('warmup', '1'));
const presets = argument(
  'presets',
  'fasterrcnn_resnet50_fpn,maskrcnn_resnet50_fpn,keypointrcnn_resnet50_fpn',
).split(',');
/** Thread counts, the same on both sides (ours: oneDNN's threads; without the addon, 1 only). */
const threadCounts = argument('threads', '1,2').split(',').map(Number);
const profiled = new Set(argument('profile', 'maskrcnn_resnet50_fpn').split(','));

/**
 * The same options on both sides. Score threshold 0: untrained class scores (~1/91) sit below
 * torchvision's 0.05, and a benchmark should run the mask/keypoint heads on a full set of
 * detections, as a trained model on a busy photo does. Keypoint R-CNN keeps 20 people: its head
 * (eight 3x3 convs at 512 channels on 14x14) costs ~7 GFLOP per RoI, 0.7 TFLOP at 100.
 */
function presetOptions(name: string) {
  return {
    minSize: size,
    maxSize: 1333,
    boxScoreThresh: 0,
    boxDetectionsPerImg: name.startsWith('keypointrcnn') ? 20 : 100,
  };
}

function torchOptions(options: ReturnType<typeof presetOptions>) {
  return {
    min_size: options.minSize,
    max_size: options.maxSize,
    box_score_thresh: options.boxScoreThresh,
    box_detections_per_img: options.boxDetectionsPerImg,
  };
}

async function benchmarkOurs(name: string, imagePath: string, threads: number, profile: boolean) {
  await activateBackend('wasm', threads);
  const kernelsLine = nativeKernelsSummary();
  console.error(`  ours at ${threads} thread(s): ${kernelsLine}`);
  const options = presetOptions(name);
  const request = { architecture: architectureFrom(name, 'e2e'), weights: 'deterministic', options };
  const loaded = await loadDetector(nodeIo, request, 'e2e');
  const image = imageTensor(await readImage(nodeIo, imagePath, 'e2e'));
  const timers = instrumentStages(loaded.model);
  const subStages: Record<string, number>[] = [];
  try {
    const result = await benchmarkPredict(loaded.model, image, {
      runs,
      warmup,
      onRun: (kind, index, milliseconds) => {
        if (kind === 'run') subStages.push({ ...timers.times });
        timers.reset();
        console.error(
          `  ours ${name} ${threads}T ${kind} ${index + 1}: ${(milliseconds / 1000).toFixed(1)} s`,
        );
      },
    });
    let kernels: Record<string, { ms: number; calls: number }> | undefined;
    let profiledMs: number | undefined;
    if (profile) {
      const start = performance.now();
      const profile = await tf.profile(async () => {
        await detectImage(loaded.model, image);
        return [];
      });
      profiledMs = performance.now() - start;
      kernels = {};
      for (const kernel of profile.kernels) {
        if (kernel.name.endsWith('__op')) continue; // op-level wrappers repeat their kernels' time
        const entry = (kernels[kernel.name] ??= { ms: 0, calls: 0 });
        entry.ms += Number(kernel.kernelTimeMs);
        entry.calls += 1;
      }
    }
    const subMedians = Object.fromEntries(
      Object.keys(subStages[0] ?? {}).map((key) => [key, median(subStages.map((times) => times[key] ?? 0))]),
    );
    return {
      backend: tf.getBackend(),
      threads,
      kernelsLine,
      medianMs: result.medianMs,
      runsMs: result.runsMs,
      warmupMs: result.warmupMs,
      stagesMs: { ...result.stagesMs, ...subMedians },
      detections: result.instances,
      loadMs: loaded.loadMs,
      ...(kernels ? { kernels, profiledMs } : {}),
    };
  } finally {
    image.dispose();
    loaded.model.dispose();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function benchmarkTorch(name: string, rawPath: string, threads: number) {
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-pthread',
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const script = join(here, 'torchvision_e2e.py');
  const options = JSON.stringify(torchOptions(presetOptions(name)));
  const argv = [
    script,
    name,
    rawPath,
    String(size),
    String(size),
    String(runs),
    String(warmup),
    String(threads),
    options,
  ];
  const result = spawnSync('/usr/bin/python3', argv, { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`torchvision benchmark failed:\n${result.stderr}`);
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
  console.error(`  torchvision ${name} ${threads}T: ${(report.medianMs / 1000).toFixed(2)} s`);
  return report as PresetReport['torch'][number];
}

async function main(): Promise<void> {
  const out = join(here, '..', 'bench-results');
  mkdirSync(out, { recursive: true });
  const imagePath = join(out, `scene-${size}.png`);
  const rawPath = join(out, `scene-${size}.rgb`);
  writeFileSync(imagePath, demoScenePng(size, size));
  writeFileSync(rawPath, renderDemoScene(size, size));
  const backend = await activateBackend('wasm');
  const started = Date.now();
  const reports: PresetReport[] = [];
  for (const name of presets) {
    console.error(`${name}:`);
    const ours = [];
    for (const [index, threads] of threadCounts.entries()) {
      ours.push(await benchmarkOurs(name, imagePath, threads, index === 0 && profiled.has(name)));
    }
    const torch = threadCounts.map((threads) => benchmarkTorch(name, rawPath, threads));
    reports.push({ name, options: presetOptions(name), ours, torch });
  }
  const report = {
    size,
    runs,
    warmup,
    backend,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
    wallSeconds: (Date.now() - started) / 1000,
    presets: reports,
  };
  writeFileSync(join(out, 'e2e.json'), `${JSON.stringify(report, null, 2)}\n`);
  printReport(report);
}

await main();
