/**
 * RoIAlign benchmark: 1000 RoIs x 256 channels, 7x7, sampling ratio 2, over P2..P5 of an
 * 800x800 image (MultiScaleRoiAlign), forward and forward+backward, ours on the tfjs cpu and
 * wasm backends beside torchvision's MultiScaleRoIAlign on the CPU with the same thread count
 * (1: our kernels are single-threaded JS loops), in one script. Also: one level (P2, 1000
 * boxes) kernel vs the composed-ops reference on wasm. Run: `pnpm bench` (or
 * `npx vite-node --config vitest.config.ts bench/roi-align-bench.ts [--runs 5] [--rounds 3] [--threads 1]`).
 * Prints a markdown table and writes bench-results/roi-align.json (gitignored).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asBoxes, createSeededRandom, type FeatureMaps } from '@rcnn/core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { MultiScaleRoiAlign, roiAlign, roiAlignReference } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const runs = Number(argument('runs', '5'));
const rounds = Number(argument('rounds', '3'));
const threads = Number(argument('threads', '1'));
const IMAGE = 800;
const CHANNELS = 256;
const NUM_BOXES = 1000;
const SIZES = [200, 100, 50, 25];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function medianMs(fn: () => Promise<void>, repeats = runs): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Boxes with log-uniform sides 16..600 px (every FPN level gets some), centres inside the image. */
function benchBoxes(): Float32Array {
  const random = createSeededRandom(2024);
  const out = new Float32Array(NUM_BOXES * 4);
  for (let i = 0; i < NUM_BOXES; i++) {
    const side = 16 * (600 / 16) ** random();
    const aspect = 0.5 + 1.5 * random();
    const [w, h] = [side * Math.sqrt(aspect), side / Math.sqrt(aspect)];
    const [cx, cy] = [random() * IMAGE, random() * IMAGE];
    out.set(
      [
        Math.max(0, cx - w / 2),
        Math.max(0, cy - h / 2),
        Math.min(IMAGE, cx + w / 2),
        Math.min(IMAGE, cy + h / 2),
      ],
      i * 4,
    );
  }
  return out;
}

function torchvision(boxes: Float32Array) {
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-pthread',
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    RCNN_THREADS: String(threads),
  };
  const input = JSON.stringify({
    boxes: Array.from(boxes),
    sizes: SIZES,
    channels: CHANNELS,
    runs,
    image: IMAGE,
  });
  const result = spawnSync('/usr/bin/python3', [join(here, 'torchvision_roi_align.py')], {
    input,
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`torchvision bench failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as {
    threads: number;
    torch: string;
    forward: number;
    forwardBackward: number;
    singleLevelP2: number;
  };
}

async function ours(backend: 'cpu' | 'wasm', boxData: Float32Array, withComposed: boolean) {
  await tf.setBackend(backend);
  await tf.ready();
  const levels = SIZES.map(
    (s, k) => tf.randomUniform([1, s, s, CHANNELS], -1, 1, 'float32', k) as tf.Tensor4D,
  );
  const features: FeatureMaps = levels.map((tensor, k) => ({ name: `p${k + 2}`, stride: 4 << k, tensor }));
  const boxes = asBoxes(tf.tensor2d(boxData, [NUM_BOXES, 4]));
  const weights = tf.randomUniform([NUM_BOXES, 7, 7, CHANNELS]);
  const pooler = new MultiScaleRoiAlign();
  const forward = await medianMs(async () => {
    const out = pooler.pool(features, [boxes]);
    await out.data();
    out.dispose();
  });
  const forwardBackward = await medianMs(async () => {
    // The vector-Jacobian product with `weights` as dy: the pooler's own forward and backward only.
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const pyramid = features.map((level, k) => ({ ...level, tensor: xs[k] as tf.Tensor4D }));
      return pooler.pool(pyramid, [boxes]);
    })(levels, weights);
    await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
  });
  const batchIndices = tf.zeros([NUM_BOXES], 'int32') as tf.Tensor1D;
  const single = { outputSize: 7, spatialScale: 0.25, samplingRatio: 2 };
  const singleLevelP2 = await medianMs(async () => {
    const out = roiAlign(levels[0]!, boxes, batchIndices, single);
    await out.data();
    out.dispose();
  });
  // The composed reference is slow and memory-hungry: one timed run after a warm-up.
  const composedP2 =
    backend === 'wasm' && withComposed
      ? await medianMs(async () => {
          const out = roiAlignReference(levels[0]!, boxes, batchIndices, single);
          await out.data();
          out.dispose();
        }, 1)
      : Number.NaN;
  tf.dispose([...levels, boxes, weights, batchIndices]);
  return { forward, forwardBackward, singleLevelP2, composedP2 };
}

const boxData = benchBoxes();
type Figures = Record<'forward' | 'forwardBackward' | 'singleLevelP2', number>;
// Rounds alternate torchvision and ours so load from other work on the machine hits both alike;
// each figure is the median over rounds of each round's median.
const perRound: {
  torchvision: Figures;
  cpu: Figures & { composedP2: number };
  wasm: Figures & { composedP2: number };
}[] = [];
let torchInfo = { threads: threads, torch: '' };
for (let round = 0; round < rounds; round++) {
  const reference = torchvision(boxData);
  torchInfo = { threads: reference.threads, torch: reference.torch };
  const cpu = await ours('cpu', boxData, false);
  const wasm = await ours('wasm', boxData, round === 0);
  perRound.push({ torchvision: reference, cpu, wasm });
  console.log(
    `round ${round + 1}/${rounds}: torchvision ${JSON.stringify(reference)} cpu ${JSON.stringify(cpu)} wasm ${JSON.stringify(wasm)}`,
  );
}
const across = (pick: (round: (typeof perRound)[number]) => number) =>
  median(perRound.map(pick).filter((v) => !Number.isNaN(v)));
const keys = ['forward', 'forwardBackward', 'singleLevelP2'] as const;
const reference = Object.fromEntries(keys.map((k) => [k, across((r) => r.torchvision[k])])) as Figures;
const results = {
  cpu: Object.fromEntries(keys.map((k) => [k, across((r) => r.cpu[k])])) as Figures,
  wasm: {
    ...(Object.fromEntries(keys.map((k) => [k, across((r) => r.wasm[k])])) as Figures),
    composedP2: perRound[0]!.wasm.composedP2,
  },
};
const format = (ms: number) => (Number.isNaN(ms) ? '-' : ms.toFixed(1));
const ratio = (ms: number, ref: number) => (Number.isNaN(ms) ? '-' : `${(ref / ms).toFixed(2)}x`);
const rows = [
  ['MultiScaleRoiAlign forward', 'forward'],
  ['MultiScaleRoiAlign forward + backward', 'forwardBackward'],
  ['roi_align, P2 only, forward', 'singleLevelP2'],
] as const;
const best = (pick: (round: (typeof perRound)[number]) => number) => Math.min(...perRound.map(pick));
const tables: [string, (key: (typeof keys)[number], side: 'torchvision' | 'cpu' | 'wasm') => number][] = [
  ['median over rounds', (key, side) => (side === 'torchvision' ? reference[key] : results[side][key])],
  ['best round (least disturbed by other load)', (key, side) => best((r) => r[side][key])],
];
console.log(
  `\n1000 RoIs x ${CHANNELS} ch, 7x7, sampling ratio 2, P2..P5 of ${IMAGE}x${IMAGE}; ms, per round the median of ${runs} runs, ${rounds} rounds; torch ${torchInfo.torch} on ${torchInfo.threads} thread(s)`,
);
for (const [title, value] of tables) {
  console.log(`\n${title}\n`);
  console.log('| what | torchvision | ours cpu | ours wasm | speed-up cpu | speed-up wasm |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, key] of rows) {
    const [ref, cpu, wasm] = [value(key, 'torchvision'), value(key, 'cpu'), value(key, 'wasm')];
    console.log(
      `| ${label} | ${format(ref)} | ${format(cpu)} | ${format(wasm)} | ${ratio(cpu, ref)} | ${ratio(wasm, ref)} |`,
    );
  }
}
console.log(
  `\ncomposed-ops reference, P2 only, wasm (1 run, round 1): ${format(results.wasm.composedP2)} ms vs the wasm kernel's ${format(perRound[0]!.wasm.singleLevelP2)} ms`,
);
mkdirSync(join(here, '..', 'bench-results'), { recursive: true });
writeFileSync(
  join(here, '..', 'bench-results', 'roi-align.json'),
  JSON.stringify({ runs, rounds, threads, torchvision: reference, ours: results, perRound }, null, 2),
);
