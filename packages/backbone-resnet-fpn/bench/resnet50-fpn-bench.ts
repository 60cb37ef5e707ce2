/**
 * ResNet-50-FPN forward at 800x800: ours on tfjs wasm (Node) beside torchvision on the CPU with
 * the same thread count, per stage, in one script. torchvision runs as a line server (one process
 * per thread count) and every run of ours is followed by one of each torch process, so all
 * three see the same machine load. Run: `pnpm bench` (or
 * `npx vite-node --config vitest.config.ts bench/resnet50-fpn-bench.ts [--size 800] [--runs 5] [--resnext]`).
 * Writes bench-results/resnet50-fpn.json (gitignored) and prints markdown tables.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deterministicStateDict, deterministicTensor, disposeFeatureMaps } from '@rcnn/core';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { resnetFpnParameterShapes } from '../src/parameter-shapes';
import { type ResnetFpnBackbone, resnetFpnBackbone } from '../src/resnet-fpn-backbone';
import type { ResnetFpnOptions } from '../src/resnet-fpn-options';
import { kernelBreakdown } from './kernel-breakdown';
import { stageFlops } from './stage-flops';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const size = Number(argument('size', '800'));
const runs = Number(argument('runs', '5'));
const STAGES = ['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'fpn'] as const;
type Times = Record<string, number>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** torchvision in its own process, answering `total` / `stages` with milliseconds. */
class TorchServer {
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor(threads: number, arch: string) {
    const n = String(threads);
    const env = {
      ...process.env,
      LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-pthread',
      OMP_NUM_THREADS: n,
      OPENBLAS_NUM_THREADS: n,
      MKL_NUM_THREADS: n,
    };
    const script = join(here, 'torchvision_resnet50_fpn.py');
    this.process = spawn('/usr/bin/python3', [script, String(size), n, arch], { env });
    this.process.stderr.on('data', (chunk) => process.stderr.write(chunk));
    this.lines = createInterface({ input: this.process.stdout })[Symbol.asyncIterator]();
  }

  async next(): Promise<Times> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('torchvision benchmark process ended early');
    return JSON.parse(value) as Times;
  }

  async run(command: 'total' | 'stages'): Promise<Times> {
    this.process.stdin.write(`${command}\n`);
    return this.next();
  }

  close(): void {
    this.process.stdin.end('quit\n');
  }
}

/** wasm kernels run synchronously inside each call, so wall time around a call is its compute time. */
function ourStages(backbone: ResnetFpnBackbone, images: tf.Tensor4D): Times {
  const times: Times = {};
  let start = performance.now();
  const stem = backbone.body.applyStem(images);
  times.stem = performance.now() - start;
  const features: tf.Tensor4D[] = [];
  for (let k = 1; k <= 4; k++) {
    start = performance.now();
    features.push(backbone.body.applyLayer(k, features[k - 2] ?? stem));
    times[`layer${k}`] = performance.now() - start;
  }
  stem.dispose();
  start = performance.now();
  const outputs = backbone.fpn.forward(features);
  times.fpn = performance.now() - start;
  tf.dispose([...features, ...outputs]);
  return times;
}

async function ourTotal(backbone: ResnetFpnBackbone, images: tf.Tensor4D): Promise<Times> {
  const start = performance.now();
  const features = backbone.forward(images);
  await features[0]!.tensor.data(); // a read-back, so nothing is deferred (wasm runs eagerly anyway)
  const totalMs = performance.now() - start;
  disposeFeatureMaps(features);
  return { totalMs };
}

async function benchmark(arch: string, options: ResnetFpnOptions) {
  const torch = [new TorchServer(1, arch), new TorchServer(2, arch)];
  const weights = deterministicStateDict(resnetFpnParameterShapes(options));
  const loadStart = performance.now();
  const backbone = resnetFpnBackbone(weights, options);
  const loadMs = performance.now() - loadStart;
  const pixels = deterministicTensor('bench/input', [1, 3, size, size]);
  const images = tf.tidy(() =>
    tf.transpose(tf.tensor4d(pixels, [1, 3, size, size]), [0, 2, 3, 1]),
  ) as tf.Tensor4D;
  for (let i = 0; i < 2; i++) disposeFeatureMaps(backbone.forward(images)); // warm-up: XNNPACK operator caches
  const ready = await Promise.all(torch.map((server) => server.next()));
  const totals: Times[][] = [[], [], []];
  const stages: Times[][] = [[], [], []];
  // A pause after each torch run lets its OpenMP threads go idle before ours start.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));
  for (let i = 0; i < runs; i++) {
    totals[0]!.push(await ourTotal(backbone, images));
    for (const [t, server] of torch.entries()) totals[t + 1]!.push(await server.run('total'));
    await settle();
    stages[0]!.push(ourStages(backbone, images));
    for (const [t, server] of torch.entries()) stages[t + 1]!.push(await server.run('stages'));
    await settle();
  }
  for (const server of torch) server.close();
  const profile = await tf.profile(() => disposeFeatureMaps(backbone.forward(images)));
  const flops = stageFlops(backbone, size, size);
  images.dispose();
  backbone.dispose();
  const summary = (index: number) => ({
    totalMs: median(totals[index]!.map((t) => t.totalMs!)),
    fastestMs: Math.min(...totals[index]!.map((t) => t.totalMs!)),
    stagesMs: Object.fromEntries(
      STAGES.map((stage) => [stage, median(stages[index]!.map((t) => t[stage]!))]),
    ),
  });
  return {
    ours: { threads: getThreadsCount(), loadMs, ...summary(0) },
    torch1: { ...ready[0], ...summary(1) },
    torch2: { ...ready[1], ...summary(2) },
    kernels: kernelBreakdown(profile.kernels),
    flops,
  };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const variants: [string, ResnetFpnOptions][] = [['resnet50', { depth: 50 }]];
  if (process.argv.includes('--resnext')) {
    variants.push(['resnext50_32x4d', { depth: 50, groups: 32, widthPerGroup: 4 }]);
  }
  const report: Record<string, unknown> = {
    size,
    runs,
    node: process.version,
    date: new Date().toISOString(),
  };
  for (const [arch, options] of variants) {
    const result = await benchmark(arch, options);
    report[arch] = result;
    const { ours, torch1, torch2, flops } = result;
    const rate = (work: number, ms: number) => (work / 1e9 / (ms / 1e3)).toFixed(1);
    console.log(
      `\n${arch}-FPN ${size}x${size}, median of ${runs} interleaved runs (ours: tfjs wasm, ${ours.threads} thread)`,
    );
    console.log(
      '| stage | GFLOP | ours ms | GFLOP/s | torch 1T ms | GFLOP/s | ours / torch 1T | torch 2T ms |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const stage of [...STAGES, 'total'] as const) {
      const pick = (side: typeof ours | typeof torch1) =>
        stage === 'total' ? side.totalMs : side.stagesMs[stage]!;
      const [mine, one, two] = [pick(ours), pick(torch1), pick(torch2)];
      const work = flops[stage]!;
      console.log(
        `| ${stage} | ${(work / 1e9).toFixed(1)} | ${mine.toFixed(0)} | ${rate(work, mine)} | ${one.toFixed(0)} | ${rate(work, one)} | ${(mine / one).toFixed(2)} | ${two.toFixed(0)} |`,
      );
    }
    const fastest = (ours.fastestMs / torch1.fastestMs).toFixed(2);
    console.log(
      `fastest run: ours ${ours.fastestMs.toFixed(0)} ms, torch 1T ${torch1.fastestMs.toFixed(0)} ms (${fastest}x), torch 2T ${torch2.fastestMs.toFixed(0)} ms`,
    );
    console.log(`load (fold + transpose + upload): ${ours.loadMs.toFixed(0)} ms`);
    console.log('\n| kernel (one profiled forward) | calls | ms | share | GFLOP/s |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    const kernelTotal = Object.values(result.kernels).reduce((sum, k) => sum + k.ms, 0);
    for (const [name, k] of Object.entries(result.kernels)) {
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
