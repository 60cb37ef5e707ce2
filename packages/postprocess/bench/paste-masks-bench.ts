/**
 * Mask pasting benchmark: 100 per-RoI 28x28 masks pasted into an image, thresholded at 0.5 and
 * RLE-encoded, three ways in one script: `pasteMasksToRle` (one read-back, then JavaScript inside each box), the
 * tensor path `pasteMasksPerInstance` + `thresholdMasks` + `masksToRle` on wasm, and
 * torchvision's `paste_masks_in_image` + `> 0.5` (1 thread, no RLE: torchvision stops at binary
 * masks). Run: `pnpm bench` (or `npx vite-node --config vitest.config.ts bench/paste-masks-bench.ts
 * [--runs 5] [--size 800x800]`). Prints a markdown table and writes bench-results/paste-masks.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asBoxes, createSeededRandom } from '@rcnn/core';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { masksToRle, pasteMasksPerInstance, pasteMasksToRle, thresholdMasks } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const runs = Number(argument('runs', '5'));
const [HEIGHT, WIDTH] = argument('size', '800x800').split('x').map(Number) as [number, number];
const COUNT = 100;
const SIDE = 28;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function medianMs(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

// Blob-shaped probabilities (a trained head's masks are smooth) and boxes of 16 px to half the image.
const random = createSeededRandom(7);
const masks = new Float32Array(COUNT * SIDE * SIDE);
const boxes = new Float32Array(COUNT * 4);
for (let n = 0; n < COUNT; n++) {
  const [cx, cy, r] = [8 + random() * 12, 8 + random() * 12, 5 + random() * 8];
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      masks[(n * SIDE + y) * SIDE + x] = 1 / (1 + Math.exp(Math.hypot(x - cx, y - cy) - r));
    }
  }
  const w = 16 + random() * (WIDTH / 2 - 16);
  const h = 16 + random() * (HEIGHT / 2 - 16);
  const [x1, y1] = [random() * (WIDTH - w), random() * (HEIGHT - h)];
  boxes.set([x1, y1, x1 + w, y1 + h], n * 4);
}

await tf.setBackend('wasm');
const masksTensor = tf.tensor3d(masks, [COUNT, SIDE, SIDE]);
const boxesTensor = asBoxes(tf.tensor2d(boxes, [COUNT, 4]));

const boxList = Array.from({ length: COUNT }, (_, n) => boxes.subarray(n * 4, n * 4 + 4));
const inJavaScript = await medianMs(() => pasteMasksToRle(masksTensor, boxList, [HEIGHT, WIDTH]));
const asTensors = await medianMs(async () => {
  const pasted = await pasteMasksPerInstance(masksTensor, boxesTensor, [HEIGHT, WIDTH]);
  const binary = thresholdMasks(pasted);
  pasted.dispose();
  try {
    return await masksToRle(binary);
  } finally {
    binary.dispose();
  }
});

mkdirSync(join(here, '..', 'bench-results'), { recursive: true });
const input = join(here, '..', 'bench-results', 'paste-masks-input.f32');
writeFileSync(input, Buffer.concat([Buffer.from(masks.buffer), Buffer.from(boxes.buffer)]));
const torch = spawnSync(
  '/usr/bin/python3',
  [
    join(here, 'torchvision_paste_masks.py'),
    input,
    String(COUNT),
    String(SIDE),
    String(HEIGHT),
    String(WIDTH),
    String(runs),
  ],
  {
    encoding: 'utf8',
    env: {
      ...process.env,
      LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-pthread',
      OMP_NUM_THREADS: '1',
      OPENBLAS_NUM_THREADS: '1',
    },
  },
);
const torchvisionMs = torch.status === 0 ? Number(torch.stdout.trim()) : Number.NaN;
if (torch.status !== 0) console.error(`torchvision run failed: ${torch.stderr}`);

const rows = [
  ['`pasteMasksToRle` (read-back + JavaScript, in boxes)', inJavaScript],
  ['`pasteMasksPerInstance` + `thresholdMasks` + `masksToRle` (wasm)', asTensors],
  ['torchvision `paste_masks_in_image` + `> 0.5` (1 thread, no RLE)', torchvisionMs],
] as const;
console.log(
  `${COUNT} masks of ${SIDE}x${SIDE} into ${HEIGHT}x${WIDTH}, median of ${runs}; ${cpus()[0]?.model}`,
);
console.log('| path | ms | vs torchvision |\n| --- | ---: | ---: |');
for (const [name, ms] of rows)
  console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / torchvisionMs).toFixed(2)}x |`);
writeFileSync(
  join(here, '..', 'bench-results', 'paste-masks.json'),
  JSON.stringify(
    {
      height: HEIGHT,
      width: WIDTH,
      count: COUNT,
      runs,
      cpu: cpus()[0]?.model,
      inJavaScript,
      asTensors,
      torchvisionMs,
    },
    null,
    2,
  ),
);
masksTensor.dispose();
boxesTensor.dispose();
