/**
 * Native (oneDNN) vs tfjs-wasm kernels on the shapes that dominate Mask R-CNN R50-FPN at
 * 800x800: ResNet-50 convolutions (stem, one conv of each stage, an FPN output conv), the box
 * head's fc6 (K = 12544) and fc7 matmuls, and the gradients (Conv2DBackpropInput,
 * Conv2DBackpropFilter, which tfjs-wasm lacks). Medians over --runs after a warm-up, in
 * GFLOP/s (2 x multiply-adds). tfjs-wasm runs 1 thread (its non-threaded SIMD build);
 * native runs at 1 thread and at --threads (default: every core). Run:
 * `npx pnpm@9.15.9 --filter @rcnn/kernels-native bench [-- --runs 3 --threads 2 --quick --skip-wasm --only fc6,stem]`.
 * Prints the CPU, the load average and a markdown table; writes bench-results/kernels-native.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerNativeKernels, unregisterNativeKernels } from '../src/index';
import { loadNativeAddon } from '../src/native-addon';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const runs = Number(argument('runs', '3'));
const threads = Number(argument('threads', String(availableParallelism())));
const quick = process.argv.includes('--quick');
const skipWasm = process.argv.includes('--skip-wasm'); // native only (e.g. beside bench/openblas_gemm.py)
const only = argument('only', ''); // comma-separated substrings of case names
const scale = quick ? 8 : 1; // --quick: spatial sizes / 8, M / 8 (a smoke test of the script)

interface Case {
  name: string;
  kernel: string;
  flops: number;
  /** Builds inputs once; returns the op to time (returns a tensor the bench disposes). */
  setup: () => { op: () => tf.Tensor; inputs: tf.Tensor[] };
}

const random = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 7);

function conv(name: string, size: number, inC: number, outC: number, k: number, stride: number): Case {
  const s = Math.max(1, Math.round(size / scale));
  const out = Math.ceil(s / stride);
  const pad: 'same' | [[number, number], [number, number], [number, number], [number, number]] =
    k === 7
      ? [
          [0, 0],
          [3, 3],
          [3, 3],
          [0, 0],
        ]
      : 'same';
  return {
    name: `${name}: ${k}x${k}/${stride} ${inC}->${outC} at ${s}x${s}`,
    kernel: 'FusedConv2D',
    flops: 2 * out * out * outC * inC * k * k,
    setup: () => {
      const x = random([1, s, s, inC]) as tf.Tensor4D;
      const filter = random([k, k, inC, outC]) as tf.Tensor4D;
      const bias = random([outC]);
      return {
        inputs: [x, filter, bias],
        op: () => tf.fused.conv2d({ x, filter, bias, strides: stride, pad, activation: 'relu' }),
      };
    },
  };
}

function matMul(name: string, m: number, k: number, n: number): Case {
  const rows = Math.max(1, Math.round(m / scale));
  return {
    name: `${name}: [${rows}, ${k}] x [${k}, ${n}] + bias, relu`,
    kernel: '_FusedMatMul',
    flops: 2 * rows * k * n,
    setup: () => {
      const a = random([rows, k]) as tf.Tensor2D;
      const b = random([k, n]) as tf.Tensor2D;
      const bias = random([n]);
      return { inputs: [a, b, bias], op: () => tf.fused.matMul({ a, b, bias, activation: 'relu' }) };
    },
  };
}

function backprop(
  name: string,
  kind: 'input' | 'filter',
  batch: number,
  size: number,
  c: number,
  k: number,
  stride: number,
): Case {
  const s = Math.max(2, Math.round(size / scale));
  const out = Math.ceil(s / stride);
  return {
    name: `${name}: ${k}x${k}/${stride} ${c}->${c} at ${batch}x${s}x${s}`,
    kernel: kind === 'input' ? 'Conv2DBackpropInput' : 'Conv2DBackpropFilter',
    flops: 2 * batch * out * out * c * c * k * k,
    setup: () => {
      const x = random([batch, s, s, c]) as tf.Tensor4D;
      const filter = random([k, k, c, c]) as tf.Tensor4D;
      const dy = random([batch, out, out, c]) as tf.Tensor4D;
      const op =
        kind === 'input'
          ? () => tf.conv2dTranspose(dy, filter, [batch, s, s, c], stride, 'same')
          : () => tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, stride, 'same'))(filter, dy);
      return { inputs: [x, filter, dy], op };
    },
  };
}

const CASES: Case[] = [
  conv('stem', 800, 3, 64, 7, 2),
  conv('layer1 1x1', 200, 64, 64, 1, 1),
  conv('layer1 3x3', 200, 64, 64, 3, 1),
  conv('layer1 expand', 200, 64, 256, 1, 1),
  conv('layer2 3x3 stride 2', 200, 128, 128, 3, 2),
  conv('layer3 3x3', 50, 256, 256, 3, 1),
  conv('layer3 reduce', 50, 1024, 256, 1, 1),
  conv('layer4 3x3', 25, 512, 512, 3, 1),
  conv('FPN P2 output', 200, 256, 256, 3, 1),
  matMul('fc6', 1000, 12544, 1024),
  matMul('fc7', 1000, 1024, 1024),
  backprop('mask head dx (conv2dTranspose-sized)', 'input', 100, 14, 256, 3, 1),
  backprop('layer3 3x3 dx', 'input', 1, 50, 256, 3, 1),
  backprop('layer3 3x3 dW', 'filter', 1, 50, 256, 3, 1),
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timeMs(op: () => tf.Tensor): number {
  tf.dispose(op()); // warm-up: primitive creation, weight reorders, wasm memory growth
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const out = op();
    times.push(performance.now() - start);
    out.dispose();
  }
  return median(times);
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  const addon = loadNativeAddon();
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(`CPU: ${cpus()[0]?.model} (${availableParallelism()} cores), load average ${load}`);
  console.log(
    `oneDNN ${addon.addon?.version() ?? `unavailable: ${addon.reason}`}; runs ${runs}, native threads 1 and ${threads}\n`,
  );
  const rows: Record<string, unknown>[] = [];
  console.log(
    '| shape | kernel | GFLOP | wasm 1T | native 1T | native ' +
      threads +
      'T | native 1T / wasm | oneDNN impl |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const c of CASES.filter((each) => !only || only.split(',').some((part) => each.name.includes(part)))) {
    const { op, inputs } = c.setup();
    const gflops = (ms: number) => c.flops / ms / 1e6;
    let wasm = Number.NaN;
    unregisterNativeKernels();
    if (c.kernel !== 'Conv2DBackpropFilter' && !skipWasm) wasm = timeMs(op); // tfjs-wasm 4.22 has no such kernel
    registerNativeKernels({ threads: 1 });
    const native1 = timeMs(op);
    const implementation = addon.addon?.lastImplementation() ?? '';
    registerNativeKernels({ threads });
    const nativeN = timeMs(op);
    tf.dispose(inputs);
    const show = (ms: number) =>
      Number.isNaN(ms) ? 'n/a' : `${gflops(ms).toFixed(1)} (${ms.toFixed(0)} ms)`;
    const ratio = Number.isNaN(wasm) ? 'n/a' : `${(wasm / native1).toFixed(1)}x`;
    console.log(
      `| ${c.name} | ${c.kernel} | ${(c.flops / 1e9).toFixed(2)} | ${show(wasm)} | ${show(native1)} | ${show(nativeN)} | ${ratio} | ${implementation} |`,
    );
    rows.push({
      ...c,
      setup: undefined,
      wasmMs: wasm,
      native1Ms: native1,
      nativeMs: nativeN,
      threads,
      implementation,
    });
  }
  unregisterNativeKernels();
  console.log(
    `\nload average after: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  const outDir = join(here, '..', 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'kernels-native.json'),
    JSON.stringify({ cpu: cpus()[0]?.model, load, rows }, null, 2),
  );
}

await main();
