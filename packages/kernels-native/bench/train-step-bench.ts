/**
 * One training step (loss + gradients of every trainable variable, as @rcnn/train's loop takes
 * them; no optimizer update, so every step does the same work) of `rcnn train`'s default small
 * Mask R-CNN on 4 synthetic 256x300 images (bench/train-step-setup.ts), in three kernel setups
 * timed in one process, interleaved step by step so load from other processes hits all alike:
 * `wasm` (tfjs-wasm plus @rcnn/train-kernels' gradient kernels), `native-dnn` (this package's
 * oneDNN convolutions and matmuls only, what it served before the elementwise kernels) and
 * `native` (every kernel this package has). Prints the CPU, the load average, median wall and
 * CPU seconds per step (CPU time is the steadier figure on a shared machine; with --threads 1 it
 * has no OpenMP spinning in it) and the speed-ups; then times torchvision's step on the same model and
 * batch at the same thread count (bench/torchvision_train_step.py, OpenBLAS; `--torchvision 0` skips it).
 * Writes bench-results/train-step-<threads>t.json. Run:
 * `npx pnpm@9.15.9 --filter @rcnn/kernels-native bench:train [-- --runs 3 --threads 2]`.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@rcnn/train-kernels/register-gradients';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { registerNativeKernels, unregisterNativeKernels } from '../src/index';
import { argument, disposeBatch, makeDetector, syntheticBatch, trainingStep } from './train-step-setup';

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(argument('runs', '3'));
const threads = Number(argument('threads', String(availableParallelism())));
const withTorchvision = argument('torchvision', '1') !== '0';

/** torchvision's step on the same model and batch (median wall seconds), or undefined when it cannot run. */
function torchvisionStep(): { median_s: number; runs_s: number[]; loss: number } | undefined {
  const result = spawnSync(
    '/usr/bin/python3',
    [join(here, 'torchvision_train_step.py'), String(threads), String(runs)],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-pthread',
        OMP_NUM_THREADS: String(threads),
        OPENBLAS_NUM_THREADS: String(threads),
      },
    },
  );
  if (result.status !== 0) {
    console.error(`torchvision step failed: ${result.stderr}`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}
const DNN_KERNELS = [
  tf.Conv2D,
  tf.FusedConv2D,
  tf.Conv2DBackpropInput,
  tf.Conv2DBackpropFilter,
  tf.BatchMatMul,
  tf._FusedMatMul,
];
const SETUPS = ['wasm', 'native-dnn', 'native'] as const;
type Setup = (typeof SETUPS)[number];

function use(setup: Setup): void {
  unregisterNativeKernels();
  if (setup === 'native-dnn') registerNativeKernels({ threads, kernels: DNN_KERNELS });
  if (setup === 'native') registerNativeKernels({ threads });
}

async function main() {
  registerTrainingKernels({ backends: ['wasm'] });
  await tf.setBackend('wasm');
  tf.enableProdMode();
  const probe = registerNativeKernels({ threads });
  if (probe.native.length === 0) throw new Error(`native kernels unavailable: ${probe.reason}`);
  const model = makeDetector();
  const variables = [...model.trainableVariables().values()];
  const { images, targets } = syntheticBatch(1);
  const step = async (): Promise<{ seconds: number; cpuSeconds: number; loss: number }> => {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const loss = await trainingStep(model, variables, images, targets);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, loss };
  };
  const times: Record<Setup, number[]> = { wasm: [], 'native-dnn': [], native: [] };
  const cpuTimes: Record<Setup, number[]> = { wasm: [], 'native-dnn': [], native: [] };
  const losses: Record<Setup, number[]> = { wasm: [], 'native-dnn': [], native: [] };
  const load = loadavg()[0]!;
  for (let run = 0; run <= runs; run++) {
    for (const setup of SETUPS) {
      use(setup);
      const { seconds, cpuSeconds, loss } = await step();
      losses[setup].push(loss);
      if (run > 0) {
        // run 0 warms every setup up
        times[setup].push(seconds);
        cpuTimes[setup].push(cpuSeconds);
      }
      console.log(
        `run ${run} ${setup.padEnd(10)} ${seconds.toFixed(2)} s/step, CPU ${cpuSeconds.toFixed(2)} s (loss ${loss.toFixed(5)})`,
      );
    }
  }
  use('native');
  disposeBatch(images, targets);
  model.dispose();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const medians = Object.fromEntries(SETUPS.map((s) => [s, median(times[s])])) as Record<Setup, number>;
  const cpuMedians = Object.fromEntries(SETUPS.map((s) => [s, median(cpuTimes[s])])) as Record<Setup, number>;
  const torchvision = withTorchvision ? torchvisionStep() : undefined;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const summary = {
    torchvision,
    cpu,
    cores: availableParallelism(),
    nativeThreads: threads,
    loadAverage: [load, loadavg()[0]!].map((l) => Number(l.toFixed(2))),
    runs,
    secondsPerStep: medians,
    cpuSecondsPerStep: cpuMedians,
    speedup: {
      nativeOverWasm: medians.wasm / medians.native,
      nativeDnnOverWasm: medians.wasm / medians['native-dnn'],
      nativeOverNativeDnn: medians['native-dnn'] / medians.native,
    },
    times,
    cpuTimes,
    losses,
  };
  console.log(
    `\n${cpu}, ${summary.cores} cores, ${threads} native thread(s), load ${summary.loadAverage.join(' -> ')}`,
  );
  console.log('| setup | median s/step | vs wasm | median CPU s/step | vs wasm |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const setup of SETUPS) {
    const wall = `${medians[setup].toFixed(2)} | ${(medians.wasm / medians[setup]).toFixed(2)}x`;
    const cpu = `${cpuMedians[setup].toFixed(2)} | ${(cpuMedians.wasm / cpuMedians[setup]).toFixed(2)}x`;
    console.log(`| ${setup} | ${wall} | ${cpu} |`);
  }
  if (torchvision) {
    console.log(
      `| torchvision (same model and batch, ${threads} thread(s)) | ${torchvision.median_s.toFixed(2)} | ${(medians.wasm / torchvision.median_s).toFixed(2)}x | | |`,
    );
    console.log(
      `native / torchvision: ${(medians.native / torchvision.median_s).toFixed(2)}x (loss ${torchvision.loss.toFixed(5)})`,
    );
  }
  mkdirSync(join(here, '..', 'bench-results'), { recursive: true });
  writeFileSync(
    join(here, '..', 'bench-results', `train-step-${threads}t.json`),
    `${JSON.stringify(summary, null, 2)}\n`,
  );
}

await main();
