import { mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ToyDetector } from '../__test-helpers__/toy-detector';
import { loadCheckpoint, resumeFromCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import type { TrainingSample } from '../data/training-sample';
import type { LrScheduleOptions } from '../optim/lr-schedule';
import { Sgd } from '../optim/sgd';
import type { ProgressRecord } from './progress';
import { stopOnInterrupt } from './stop-on-interrupt';
import { type BatchSource, train } from './train';

beforeAll(() => useBackend('cpu'));

function sample(id: number, width: number, height: number, label: number, poison = false): TrainingSample {
  const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * (id + 3) * 7) % 256);
  const box = [width * 0.2, height * 0.1 * label, width * 0.7, height * 0.9];
  return {
    imageId: id,
    width,
    height,
    pixels,
    boxes: Float32Array.from(poison ? [Number.NaN, 0, 1, 1] : box),
    labels: Int32Array.from([label]),
  };
}

const samples = [sample(1, 20, 16, 1), sample(2, 12, 18, 2), sample(3, 16, 16, 1), sample(4, 24, 10, 2)];
const source = (poisonAt = -1): BatchSource => ({
  batch: async (iteration) =>
    [0, 1].map((k) => {
      const s = samples[(2 * iteration + k) % samples.length];
      return iteration === poisonAt ? sample(9, 8, 8, 1, true) : s;
    }),
});
const schedule: LrScheduleOptions = {
  lr: 0.1,
  warmupIters: 3,
  warmupFactor: 0.1,
  milestones: [6],
  gamma: 0.5,
};

async function weights(model: ToyDetector): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.trainableVariables()) out.set(name, (await v.data()) as Float32Array);
  return out;
}

describe('stopOnInterrupt', () => {
  it('aborts on the first Ctrl-C and exits 130 on the second', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = process.listenerCount('SIGINT');
    const { signal, remove } = stopOnInterrupt();
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(signal.aborted).toBe(true);
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGINT', 'SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      remove();
      exit.mockRestore();
      stderr.mockRestore();
    }
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('train', () => {
  it('lowers the loss of the toy detector and reports every iteration', async () => {
    const model = new ToyDetector();
    const optimizer = new Sgd({ momentum: 0.9, weightDecay: 1e-4 });
    const records: ProgressRecord[] = [];
    const result = await train({
      model,
      data: source(),
      optimizer,
      schedule: { lr: 0.2 },
      iterations: 40,
      onProgress: (r) => records.push(r),
    });
    expect(result.stopped).toBe('completed');
    expect(records.map((r) => r.iteration)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(Object.keys(records[0].losses)).toEqual(['roiHeads/classification', 'roiHeads/boxRegression']);
    const mean = (rs: ProgressRecord[]) => rs.reduce((a, r) => a + r.total, 0) / rs.length;
    expect(mean(records.slice(-4))).toBeLessThan(0.8 * mean(records.slice(0, 4)));
    expect(records.at(-1)?.etaSeconds).toBe(0);
    model.dispose();
    optimizer.dispose();
  });

  it('N steps straight equal N/2, checkpoint, load into a fresh model and optimizer, N/2 (bitwise)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcnn-train-'));
    const base = { data: source(), schedule, clipGradNorm: 5 };
    const straight = new ToyDetector();
    const sgdStraight = new Sgd({ nesterov: true });
    await train({ ...base, model: straight, optimizer: sgdStraight, iterations: 10 });

    const first = new ToyDetector();
    const sgdFirst = new Sgd({ nesterov: true });
    const half = await train({
      ...base,
      model: first,
      optimizer: sgdFirst,
      iterations: 5,
      checkpointDir: dir,
      state: { seed: 7 },
    });
    expect(half.lastCheckpoint?.model).toMatch(/checkpoint-0000005\.safetensors$/);
    const fresh = new ToyDetector(99);
    const sgdFresh = new Sgd({ nesterov: true });
    const state = await resumeFromCheckpoint(dir, fresh, sgdFresh);
    expect(state).toMatchObject({ iteration: 5, seed: 7 });
    await train({
      ...base,
      model: fresh,
      optimizer: sgdFresh,
      iterations: 10,
      startIteration: state.iteration,
    });

    const a = await weights(straight);
    const b = await weights(fresh);
    for (const [name, values] of a) expect(Array.from(b.get(name) ?? []), name).toEqual(Array.from(values));
    for (const m of [straight, first, fresh]) m.dispose();
    for (const o of [sgdStraight, sgdFirst, sgdFresh]) o.dispose();
  });

  it('passes a seeded multi-scale minSize per iteration to the loss', async () => {
    const run = async (start: number, end: number) => {
      const model = new ToyDetector();
      const optimizer = new Sgd();
      await train({
        model,
        data: source(),
        optimizer,
        schedule,
        iterations: end,
        startIteration: start,
        minSizes: [10, 20, 30],
        state: { seed: 4 },
      });
      model.dispose();
      optimizer.dispose();
      return model.minSizes;
    };
    const all = await run(0, 12);
    expect(new Set(all)).toEqual(new Set([10, 20, 30]));
    expect(await run(6, 12)).toEqual(all.slice(6));
  });

  it('stops on a non-finite loss before updating, keeping the last good checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcnn-train-'));
    const model = new ToyDetector();
    const optimizer = new Sgd();
    const reference = new ToyDetector();
    const referenceSgd = new Sgd();
    await train({ model: reference, data: source(), optimizer: referenceSgd, schedule, iterations: 3 });
    const result = await train({
      model,
      data: source(3),
      optimizer,
      schedule,
      iterations: 8,
      checkpointDir: dir,
      checkpointEvery: 2,
    });
    expect(result.stopped).toBe('non-finite-loss');
    expect(result.iteration).toBe(3);
    expect(result.message).toMatch(/loss is NaN at iteration 4 .*checkpoint-0000002\.safetensors/);
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.safetensors'))
        .sort(),
    ).toEqual(['checkpoint-0000002.optimizer.safetensors', 'checkpoint-0000002.safetensors']);
    const a = await weights(reference);
    const b = await weights(model);
    for (const [name, values] of a) expect(Array.from(b.get(name) ?? [])).toEqual(Array.from(values));
    for (const m of [model, reference]) m.dispose();
    optimizer.dispose();
    referenceSgd.dispose();
  });

  it('stops before updating when the loss is finite but its gradient is not (clipping on)', async () => {
    // loss = sqrt(w - 1) at w = 1: value 0, gradient infinite.
    const w = tf.variable(tf.scalar(1), true);
    const model = {
      loss: async () => ({ 'toy/sqrt': tf.sqrt(tf.sub(w, 1)) as tf.Scalar }),
      trainableVariables: () => new Map([['w', w]]),
      saveStateDict: async () => new Map(),
      loadStateDict: () => undefined,
    };
    const optimizer = new Sgd();
    const result = await train({
      model,
      data: source(),
      optimizer,
      schedule,
      iterations: 3,
      clipGradNorm: 1,
    });
    expect(result).toMatchObject({ stopped: 'non-finite-loss', iteration: 0 });
    expect(result.message).toMatch(/gradient norm is Infinity at iteration 1 \(toy\/sqrt=0\)/);
    expect((await w.data())[0]).toBe(1);
    w.dispose();
    optimizer.dispose();
  });

  it('never saves NaN weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcnn-train-'));
    const model = new ToyDetector();
    const v = model.trainableVariables().get('backbone.conv.bias') as tf.Variable;
    v.assign(tf.tensor1d([0, Number.NaN, 0, 0]));
    const optimizer = new Sgd();
    await expect(saveCheckpoint(dir, model, optimizer, { iteration: 1, seed: 0 })).rejects.toThrow(
      /backbone\.conv\.bias.*NaN/,
    );
    expect(readdirSync(dir)).toEqual([]);
    model.dispose();
  });

  it('gives the event loop a turn every iteration (Ctrl-C and file callbacks are not starved)', async () => {
    // The batches here are ready at once, so each step awaits settled promises only: the
    // macrotask queue (signals, fs callbacks, setImmediate) runs only if the loop yields.
    const model = new ToyDetector();
    const optimizer = new Sgd({ momentum: 0.9 });
    let turns = 0;
    const tick = () => {
      turns++;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    const turnsAt: number[] = [];
    await train({
      model,
      data: source(),
      optimizer,
      schedule: { lr: 0.1 },
      iterations: 6,
      onProgress: () => turnsAt.push(turns),
    });
    turns = 1000;
    model.dispose();
    optimizer.dispose();
    for (let i = 1; i < turnsAt.length; i++) expect(turnsAt[i]).toBeGreaterThan(turnsAt[i - 1]!);
  });

  it('an aborted signal ends the run after the step with a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcnn-train-'));
    const model = new ToyDetector();
    const optimizer = new Sgd();
    const controller = new AbortController();
    const result = await train({
      model,
      data: source(),
      optimizer,
      schedule,
      iterations: 50,
      checkpointDir: dir,
      state: { seed: 3, labelMap: { categoryIds: [5, 9], names: ['a', 'b'] } },
      signal: controller.signal,
      onProgress: (r) => r.iteration === 2 && controller.abort(),
    });
    expect(result).toMatchObject({ stopped: 'interrupted', iteration: 2 });
    const loaded = await loadCheckpoint(dir);
    expect(loaded.state).toEqual({
      seed: 3,
      labelMap: { categoryIds: [5, 9], names: ['a', 'b'] },
      iteration: 2,
    });
    expect(loaded.stateDict.get('roi_heads.box_predictor.cls_score.weight')?.shape).toEqual([3, 4]);
    expect(loaded.momentum.size).toBe(6);
    const moved = `${dir}-moved`;
    renameSync(dir, moved);
    expect((await loadCheckpoint(moved)).state.iteration).toBe(2);
    model.dispose();
    optimizer.dispose();
  });

  it('keeps tensor count and bytes flat over 1000 steps (clipping on)', async () => {
    const model = new ToyDetector();
    const optimizer = new Sgd();
    const memory: { numTensors: number; numBytes: number }[] = [];
    await train({
      model,
      data: source(),
      optimizer,
      schedule,
      iterations: 1000,
      clipGradNorm: 1,
      onProgress: () => memory.push(tf.memory()),
    });
    expect(memory[999].numTensors).toBe(memory[1].numTensors);
    expect(memory[999].numBytes).toBe(memory[1].numBytes);
    model.dispose();
    optimizer.dispose();
  });
});
