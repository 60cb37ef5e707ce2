import { readSafetensors } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { clipGradNorm } from './clip-grad-norm';
import { type LrScheduleOptions, learningRateAt } from './lr-schedule';
import { Sgd } from './sgd';

const fixture = readSafetensors(readFixtureBytes(import.meta.url, 'sgd.safetensors'));
const meta = Object.fromEntries(Object.entries(fixture.metadata).map(([k, v]) => [k, JSON.parse(v)]));
const names = Object.keys(meta.shapes as Record<string, number[]>);
const steps = meta.steps as number;

function array(key: string): Float32Array {
  const entry = fixture.tensors.get(key);
  if (!entry) throw new Error(`fixture lacks ${key}`);
  return entry.data as Float32Array;
}

interface RunMeta {
  lr: number;
  momentum: number;
  weight_decay: number;
  nesterov: boolean;
  max_norm: number | null;
  warmup_iters: number;
  warmup_factor: number;
  milestones: number[];
  gamma: number;
  cosine: { t_max: number; eta_min: number } | null;
  skip: Record<string, string>;
  lr_float64: number[];
  total_norm: number[];
}

function schedule(run: RunMeta): LrScheduleOptions {
  const warm = { lr: run.lr, warmupIters: run.warmup_iters, warmupFactor: run.warmup_factor };
  return run.cosine
    ? { ...warm, kind: 'cosine', tMax: run.cosine.t_max, etaMin: run.cosine.eta_min }
    : { ...warm, milestones: run.milestones, gamma: run.gamma };
}

const worst = { weight: 0, lr: 0, norm: 0 };
afterAll(() =>
  console.log(
    `[sgd parity vs torch 1.13] max |dw| ${worst.weight}, max |dlr| ${worst.lr}, max rel |dnorm| ${worst.norm}`,
  ),
);

describeEachBackend('Sgd + clipGradNorm + learningRateAt against torch.optim.SGD', () => {
  for (const name of ['a', 'b'] as const) {
    const run = meta[name] as RunMeta;
    it(`run ${name}: every parameter after each of ${steps} steps within 1e-6`, async () => {
      const variables = new Map(
        names.map((n) => [
          n,
          tf.variable(tf.tensor(array(`${name}/init/${n}`), meta.shapes[n]), true, `${name}-${n}`),
        ]),
      );
      const sgd = new Sgd({ momentum: run.momentum, weightDecay: run.weight_decay, nesterov: run.nesterov });
      for (let step = 0; step < steps; step++) {
        const lr = learningRateAt(schedule(run), step);
        worst.lr = Math.max(worst.lr, Math.abs(lr - run.lr_float64[step]));
        expect(lr).toBeCloseTo(run.lr_float64[step], 12);
        let grads: (tf.Tensor | null)[] = names.map((n) =>
          run.skip[String(step)] === n ? null : tf.tensor(array(`${name}/grad/${step}/${n}`), meta.shapes[n]),
        );
        if (run.max_norm !== null) {
          const clipped = await clipGradNorm(grads, run.max_norm);
          const relative = Math.abs(clipped.totalNorm - run.total_norm[step]) / run.total_norm[step];
          worst.norm = Math.max(worst.norm, relative);
          expect(relative).toBeLessThan(1e-6);
          for (const g of grads) g?.dispose();
          grads = clipped.grads;
        }
        sgd.step(variables, new Map(names.map((n, i) => [n, grads[i]])), lr);
        for (const g of grads) g?.dispose();
        for (const n of names) {
          const ours = await variables.get(n)?.data();
          const theirs = array(`${name}/after/${step}/${n}`);
          for (let i = 0; i < theirs.length; i++) {
            worst.weight = Math.max(worst.weight, Math.abs((ours?.[i] ?? Number.NaN) - theirs[i]));
          }
        }
      }
      expect(worst.weight).toBeLessThan(1e-6);
      // A skipped parameter has no buffer until its first gradient; here all had one.
      expect(sgd.bufferCount).toBe(names.length);
      sgd.dispose();
      for (const v of variables.values()) v.dispose();
    });
  }

  it('schedules match torch over 3000 iterations (LinearLR+MultiStepLR chained; CosineAnnealingLR)', () => {
    const step = meta.long_step;
    const cosine = meta.long_cosine;
    for (let i = 0; i < 3000; i++) {
      const ours = learningRateAt(
        {
          lr: step.lr,
          warmupIters: step.warmup_iters,
          warmupFactor: step.warmup_factor,
          milestones: step.milestones,
          gamma: step.gamma,
        },
        i,
      );
      const oursCosine = learningRateAt(
        { lr: cosine.lr, kind: 'cosine', tMax: cosine.t_max, etaMin: cosine.eta_min },
        i,
      );
      worst.lr = Math.max(worst.lr, Math.abs(ours - step.values[i]), Math.abs(oursCosine - cosine.values[i]));
    }
    expect(worst.lr).toBeLessThan(1e-12);
  });

  it('rejects bad options', () => {
    expect(() => new Sgd({ nesterov: true, momentum: 0 })).toThrow(/Nesterov/);
    expect(() => learningRateAt({ lr: 0.1 }, -1)).toThrow(/non-negative/);
  });

  it('state round-trips and the step leaks no tensors', async () => {
    const v = new Map([['w', tf.variable(tf.ones([3]))]]);
    const sgd = new Sgd();
    const g = tf.fill([3], 0.5);
    await expectNoLeaks(() => sgd.step(v, new Map([['w', g]]), 0.1));
    const state = await sgd.stateDict();
    const copy = new Sgd();
    copy.loadStateDict(state);
    expect(Array.from((await copy.stateDict()).get('w')?.data ?? [])).toEqual(
      Array.from(state.get('w')?.data ?? []),
    );
    await expectNoLeaks(async () => {
      const { grads } = await clipGradNorm([g, null], 0.1);
      for (const x of grads) x?.dispose();
    });
    for (const x of [g, ...v.values()]) x.dispose();
    sgd.dispose();
    copy.dispose();
  });
});
