import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CocoDatasetJson } from '@rcnn/coco-eval';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyCoco } from '../__test-helpers__/tiny-coco';
import { keypointFlipMap } from '../augment/horizontal-flip';
import { CocoDataLoader } from './coco-data-loader';
import { readCocoTrainingSet } from './coco-training-set';
import { aspectRatioGroups, GroupedBatchSampler } from './grouped-batch-sampler';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
let workerUrl: URL;

beforeAll(async () => {
  // The worker runs compiled JavaScript, as from dist/: bundle it from the sources once.
  const outDirectory = join(packageRoot, '.tmp', 'test-worker');
  mkdirSync(outDirectory, { recursive: true });
  const outfile = join(outDirectory, 'decode-worker.mjs');
  await build({
    entryPoints: [join(packageRoot, 'src/data/decode-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    conditions: ['@rcnn/source'],
    external: ['@tensorflow/*'],
    logLevel: 'error',
  });
  workerUrl = pathToFileURL(outfile);
});

describe('GroupedBatchSampler', () => {
  it('groups by aspect ratio as torchvision (k = 3: bins 2^linspace(-1, 1, 7))', () => {
    const sizes = [
      [100, 100],
      [200, 100],
      [100, 200],
      [130, 100],
      [300, 100],
    ].map(([width, height]) => ({ width, height }));
    // bisect.bisect_right(sorted(bins), w / h) in Python gives these
    expect(aspectRatioGroups(sizes)).toEqual([4, 7, 1, 5, 7]);
  });

  it('gives batches within one group, the same for the same seed, covering every image each epoch', () => {
    const groups = [0, 1, 0, 1, 0, 1, 0, 1, 2, 2];
    const a = new GroupedBatchSampler(groups, 2, 11);
    const b = new GroupedBatchSampler(groups, 2, 11);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const batch = a.batch(i);
      expect(new Set(batch.map((j) => groups[j])).size).toBe(1);
      expect(b.batch(i)).toEqual(batch);
      seen.push(...batch);
    }
    expect(seen.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new GroupedBatchSampler(groups, 2, 12).batch(0)).not.toEqual(undefined);
  });
});

describe('CocoDataLoader', () => {
  const { directory, json } = writeTinyCoco();
  const set = readCocoTrainingSet(json as unknown as CocoDatasetJson);
  const base = {
    set,
    imageDirectory: join(directory, 'images'),
    batchSize: 2,
    seed: 5,
    aspectRatioGroupFactor: -1,
    augment: {
      flipProbability: 0.5,
      keypointFlipMap: keypointFlipMap(set.keypointNames),
      cropProbability: 0.5,
      minSizes: [20, 24],
    },
  };

  it('decodes in worker threads exactly what the synchronous path decodes, and a new loader repeats it', async () => {
    const threaded = new CocoDataLoader({ ...base, workers: 2, workerUrl });
    const inline = new CocoDataLoader({ ...base, workers: 0 });
    expect(threaded.usesWorkers).toBe(true);
    expect(inline.usesWorkers).toBe(false);
    for (let i = 0; i < 4; i++) {
      const [x, y] = await Promise.all([threaded.batch(i), inline.batch(i)]);
      expect(x.length).toBe(2);
      expect(x).toEqual(y);
      for (const s of x) {
        expect(Math.min(s.width, s.height)).toBeGreaterThanOrEqual(20);
        expect(s.masks?.length).toBe(s.labels.length * s.width * s.height);
        expect(s.keypoints?.length).toBe(s.labels.length * 15);
      }
    }
    const again = new CocoDataLoader({ ...base, workers: 0 });
    expect(await again.batch(3)).toEqual(await inline.batch(3));
    await Promise.all([threaded.close(), inline.close(), again.close()]);
  });

  it('prefetches batches ahead so the next request is already decoded', async () => {
    const loader = new CocoDataLoader({ ...base, workers: 1, workerUrl, prefetch: 2 });
    await loader.batch(0);
    // Batches 1 and 2 were handed to the worker before anyone asked for them.
    const ahead = (loader as unknown as { inFlight: Map<number, Promise<unknown>> }).inFlight;
    expect([...ahead.keys()].sort()).toEqual([1, 2]);
    await Promise.all(ahead.values());
    // Asked for now, batch 1 needs no more I/O: it resolves before the event loop's next turn
    // (no wall-clock bound, which a loaded CI machine can miss).
    const first = await Promise.race([
      loader.batch(1).then(() => 'batch'),
      new Promise((resolve) => setImmediate(() => resolve('next turn of the event loop'))),
    ]);
    expect(first).toBe('batch');
    await loader.close();
  });

  it('rejects the batch naming the file when an image is unreadable', async () => {
    const loader = new CocoDataLoader({
      ...base,
      imageDirectory: join(directory, 'nowhere'),
      workers: 1,
      workerUrl,
    });
    await expect(loader.batch(0)).rejects.toThrow(/ENOENT.*nowhere/);
    await loader.close();
  });
});

describe('DecodePool', () => {
  it('fails the tasks of a worker that dies and replaces it', async () => {
    const { writeFileSync } = await import('node:fs');
    const { DecodePool } = await import('./decode-pool');
    const { directory, json } = writeTinyCoco();
    const set = readCocoTrainingSet(json as unknown as CocoDatasetJson);
    // A worker that exits on its first task, then (as the replacement) decodes normally.
    const flag = join(directory, 'died-once');
    const dying = join(directory, 'dying-worker.mjs');
    writeFileSync(
      dying,
      `import { existsSync, writeFileSync } from 'node:fs';\n` +
        `if (!existsSync(${JSON.stringify(flag)})) { writeFileSync(${JSON.stringify(flag)}, ''); process.exit(3); }\n` +
        `await import(${JSON.stringify(workerUrl.href)});\n`,
    );
    const pool = new DecodePool(1, pathToFileURL(dying));
    const task = {
      image: set.images[0],
      path: join(directory, 'images', set.images[0].fileName),
      contents: { masks: false, numKeypoints: 0 },
      augment: { flipProbability: 0 },
      seed: 1,
    };
    await expect(pool.run(task)).rejects.toThrow(/decode worker exited \(code 3\)/);
    const sample = await pool.run(task);
    expect([sample.width, sample.height]).toEqual([40, 30]);
    await pool.close();
  });
});
