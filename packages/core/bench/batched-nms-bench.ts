/**
 * Per-class NMS benchmark, the shape of a detector's postprocess at score threshold 0 (as
 * `apps/cli/bench/e2e.ts` runs it): 1,000 proposals around a few objects, each regressed once per
 * class (90 classes, 90,000 boxes, IoU 0.5), through `batchedNmsOnArrays` and torchvision's
 * `batched_nms` (1 thread) on the same values in one script; checks both keep the same boxes in
 * the same order. Run: `pnpm bench` (or `npx vite-node --config vitest.config.ts
 * bench/batched-nms-bench.ts [--runs 5] [--classes 90] [--proposals 1000]`). Prints a markdown
 * table and writes bench-results/batched-nms.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchedNmsOnArrays, createSeededRandom } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const runs = Number(argument('runs', '5'));
const CLASSES = Number(argument('classes', '90'));
const PROPOSALS = Number(argument('proposals', '1000'));
const SIZE = 800;
const OBJECTS = 12;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// Proposals cluster on objects (an RPN's do); each class regresses them a little differently.
const random = createSeededRandom(3);
const objects = Array.from({ length: OBJECTS }, () => {
  const [w, h] = [24 + random() * 300, 24 + random() * 300];
  return [random() * (SIZE - w), random() * (SIZE - h), w, h] as const;
});
const n = CLASSES * PROPOSALS;
const boxes = new Float32Array(n * 4);
const scores = new Float32Array(n);
const classes = new Float32Array(n);
for (let p = 0; p < PROPOSALS; p++) {
  const [x, y, w, h] = objects[Math.floor(random() * OBJECTS)]!;
  const jitter = () => (random() - 0.5) * 0.6;
  const proposal = [x + jitter() * w, y + jitter() * h, w * (1 + jitter()), h * (1 + jitter())];
  for (let c = 0; c < CLASSES; c++) {
    const i = c * PROPOSALS + p;
    const [px, py, pw, ph] = proposal.map((v) => v * (1 + (random() - 0.5) * 0.1)) as [
      number,
      number,
      number,
      number,
    ];
    const x1 = Math.min(Math.max(px, 0), SIZE);
    const y1 = Math.min(Math.max(py, 0), SIZE);
    boxes.set([x1, y1, Math.min(x1 + pw, SIZE), Math.min(y1 + ph, SIZE)], i * 4);
    scores[i] = random();
    classes[i] = c + 1;
  }
}

batchedNmsOnArrays(boxes, scores, classes, 0.5);
const times: number[] = [];
let kept: Int32Array = new Int32Array(0);
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  kept = batchedNmsOnArrays(boxes, scores, classes, 0.5);
  times.push(performance.now() - start);
}
const oursMs = median(times);

const results = join(here, '..', 'bench-results');
mkdirSync(results, { recursive: true });
const input = join(results, 'batched-nms-input.f32');
writeFileSync(input, Buffer.concat([boxes, scores, classes].map((a) => Buffer.from(a.buffer))));
const keptFile = join(results, 'batched-nms-torchvision-kept.i64');
const torch = spawnSync(
  '/usr/bin/python3',
  [join(here, 'torchvision_batched_nms.py'), input, String(n), String(runs), keptFile],
  {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  },
);
const torchvisionMs = torch.status === 0 ? Number(torch.stdout.trim()) : Number.NaN;
if (torch.status !== 0) console.error(`torchvision run failed: ${torch.stderr}`);
const theirs =
  torch.status === 0 ? Array.from(new BigInt64Array(readFileSync(keptFile).buffer.slice(0)), Number) : [];
const same = theirs.length === kept.length && theirs.every((index, i) => index === kept[i]);

console.log(
  `${n} boxes (${CLASSES} classes x ${PROPOSALS}), IoU 0.5, median of ${runs}; ${cpus()[0]?.model}`,
);
console.log(`kept ${kept.length} (torchvision ${theirs.length}), same boxes in the same order: ${same}`);
console.log('| NMS | ms | vs torchvision |\n| --- | ---: | ---: |');
console.log(`| \`batchedNmsOnArrays\` | ${oursMs.toFixed(1)} | ${(oursMs / torchvisionMs).toFixed(2)}x |`);
console.log(`| torchvision \`batched_nms\` (1 thread) | ${torchvisionMs.toFixed(1)} | 1.00x |`);
writeFileSync(
  join(results, 'batched-nms.json'),
  JSON.stringify(
    {
      boxes: n,
      classes: CLASSES,
      runs,
      oursMs,
      torchvisionMs,
      kept: kept.length,
      same,
      cpu: cpus()[0]?.model,
    },
    null,
    2,
  ),
);
if (!same) process.exitCode = 1;
