/**
 * ResNet-50-FPN forward at 800x800: ours on tfjs wasm (Node) beside torchvision on the CPU with
 * the same thread count, per stage, in one script. Run: `pnpm bench` (or
 * `npx vite-node --config vitest.config.ts bench/resnet50-fpn-bench.ts [--size 800] [--runs 5] [--resnext]`).
 * Writes bench-results/resnet50-fpn.json (gitignored) and prints a markdown table.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deterministicStateDict, deterministicTensor, disposeFeatureMaps } from '@rcnn/core';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { resnetFpnParameterShapes } from '../src/parameter-shapes';
import { type ResnetFpnBackbone, resnetFpnBackbone } from '../src/resnet-fpn-backbone';
import type { ResnetFpnOptions } from '../src/resnet-fpn-options';
import { stageFlops } from './stage-flops';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const size = Number(argument('size', '800'));
const runs = Number(argument('runs', '5'));
const STAGES = ['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'fpn'] as const;
type StageTimes = Record<(typeof STAGES)[number], number>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Convolutions grouped by kernel size and stride (with their FLOPs); other kernels by name. */
function kernelGroup(kernel: { name: string; inputShapes: number[][]; outputShapes: number[][] }) {
  if (kernel.name !== 'FusedConv2D' && kernel.name !== 'Conv2D') return { name: kernel.name, flops: 0 };
  const [, inHeight] = kernel.inputShapes[0]!;
  const [kernelHeight, kernelWidth, inChannels] = kernel.inputShapes[1]!;
  const [, outHeight, outWidth, outChannels] = kernel.outputShapes[0]!;
  const stride = Math.round(inHeight! / outHeight!);
  return {
    name: `conv ${kernelHeight}x${kernelWidth}${stride > 1 ? `/${stride}` : ''}`,
    flops: 2 * outHeight! * outWidth! * outChannels! * kernelHeight! * kernelWidth! * inChannels!,
  };
}

/** wasm kernels run synchronously inside each call, so wall time around a call is its compute time. */
function timeStages(backbone: ResnetFpnBackbone, images: tf.Tensor4D): StageTimes {
  const times = {} as StageTimes;
  let start = performance.now();
  let x = backbone.body.applyStem(images);
  times.stem = performance.now() - start;
  const features: tf.Tensor4D[] = [];
  for (let k = 1; k <= 4; k++) {
    start = performance.now();
    x = backbone.body.applyLayer(k, x);
    times[`layer${k}` as 'layer1'] = performance.now() - start;
    features.push(x);
  }
  start = performance.now();
  const outputs = backbone.fpn.forward(features);
  times.fpn = performance.now() - start;
  tf.dispose([...features, ...outputs]);
  return times;
}

async function benchmarkOurs(options: ResnetFpnOptions) {
  const weights = deterministicStateDict(resnetFpnParameterShapes(options));
  const loadStart = performance.now();
  const backbone = resnetFpnBackbone(weights, options);
  const loadMs = performance.now() - loadStart;
  const pixels = deterministicTensor('bench/input', [1, 3, size, size]);
  const images = tf.tidy(() =>
    tf.transpose(tf.tensor4d(pixels, [1, 3, size, size]), [0, 2, 3, 1]),
  ) as tf.Tensor4D;
  for (let i = 0; i < 2; i++) disposeFeatureMaps(backbone.forward(images)); // warm-up: XNNPACK operator caches
  const totals: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const features = backbone.forward(images);
    await features[0]!.tensor.data(); // a read-back, so nothing is deferred (wasm runs eagerly anyway)
    totals.push(performance.now() - start);
    disposeFeatureMaps(features);
  }
  const perStage = Array.from({ length: runs }, () => timeStages(backbone, images));
  const profile = await tf.profile(() => disposeFeatureMaps(backbone.forward(images)));
  const byKernel = new Map<string, { ms: number; flops: number; calls: number }>();
  for (const kernel of profile.kernels) {
    if (kernel.name.endsWith('__op')) continue; // op-level wrappers repeat their kernels' time
    const group = kernelGroup(kernel);
    const entry = byKernel.get(group.name) ?? { ms: 0, flops: 0, calls: 0 };
    entry.ms += Number(kernel.kernelTimeMs);
    entry.flops += group.flops;
    entry.calls += 1;
    byKernel.set(group.name, entry);
  }
  const flops = stageFlops(backbone, size, size);
  images.dispose();
  backbone.dispose();
  return {
    threads: getThreadsCount(),
    loadMs,
    totalMs: median(totals),
    stagesMs: Object.fromEntries(STAGES.map((stage) => [stage, median(perStage.map((t) => t[stage]))])),
    kernels: Object.fromEntries([...byKernel].sort((a, b) => b[1].ms - a[1].ms)),
    flops,
  };
}

function benchmarkTorch(threads: number, arch: string) {
  const script = join(here, 'torchvision_resnet50_fpn.py');
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-pthread',
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const result = spawnSync('/usr/bin/python3', [script, String(size), String(runs), String(threads), arch], {
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`torchvision benchmark failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
    threads: number;
    totalMs: number;
    stagesMs: Record<string, number>;
  };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const variants: [string, ResnetFpnOptions][] = [['resnet50', { depth: 50 }]];
  if (process.argv.includes('--resnext'))
    variants.push(['resnext50_32x4d', { depth: 50, groups: 32, widthPerGroup: 4 }]);
  const report: Record<string, unknown> = {
    size,
    runs,
    node: process.version,
    date: new Date().toISOString(),
  };
  for (const [arch, options] of variants) {
    const ours = await benchmarkOurs(options);
    const torch1 = benchmarkTorch(1, arch);
    const torch2 = benchmarkTorch(2, arch);
    report[arch] = { ours, torch1, torch2 };
    const gflops = (stage: string) => (ours.flops[stage]! / 1e9).toFixed(1);
    const rate = (flops: number, ms: number) => (flops / 1e9 / (ms / 1e3)).toFixed(1);
    console.log(`\n${arch}-FPN ${size}x${size}, median of ${runs} (ours: tfjs wasm, ${ours.threads} thread)`);
    console.log(
      '| stage | GFLOP | ours ms | GFLOP/s | torch 1T ms | GFLOP/s | ours / torch 1T | torch 2T ms |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const stage of [...STAGES, 'total'] as const) {
      const mine = stage === 'total' ? ours.totalMs : ours.stagesMs[stage]!;
      const one = stage === 'total' ? torch1.totalMs : torch1.stagesMs[stage]!;
      const two = stage === 'total' ? torch2.totalMs : torch2.stagesMs[stage]!;
      const flops = ours.flops[stage]!;
      console.log(
        `| ${stage} | ${gflops(stage)} | ${mine.toFixed(0)} | ${rate(flops, mine)} | ${one.toFixed(0)} | ${rate(flops, one)} | ${(mine / one).toFixed(2)} | ${two.toFixed(0)} |`,
      );
    }
    console.log(`load (fold + transpose + upload): ${ours.loadMs.toFixed(0)} ms`);
    console.log('\n| kernel (one profiled forward) | calls | ms | share | GFLOP/s |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    const kernelTotal = Object.values(ours.kernels).reduce((sum, k) => sum + k.ms, 0);
    for (const [name, k] of Object.entries(ours.kernels)) {
      const share = `${((100 * k.ms) / kernelTotal).toFixed(1)}%`;
      console.log(
        `| ${name} | ${k.calls} | ${k.ms.toFixed(0)} | ${share} | ${k.flops ? rate(k.flops, k.ms) : ''} |`,
      );
    }
  }
  const out = join(here, '..', 'bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'resnet50-fpn.json'), `${JSON.stringify(report, null, 2)}\n`);
}

await main();
