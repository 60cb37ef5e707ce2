import { RcnnError } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CheckpointPaths, saveCheckpoint, type TrainingState } from '../checkpoint/checkpoint';
import { disposeSampleTensors, sampleToTensors, type TrainingSample } from '../data/training-sample';
import { clipGradNorm } from '../optim/clip-grad-norm';
import { type LrScheduleOptions, learningRateAt } from '../optim/lr-schedule';
import type { Sgd } from '../optim/sgd';
import { SeededRng } from '../random/seeded-rng';
import type { GradientFunction, TrainableDetector } from '../trainable-detector';
import { lossGradients } from './loss-gradients';
import { type ProgressRecord, StepTimer } from './progress';

/** Batches by iteration: the same iteration always gives the same batch (so a resumed run sees the same data). */
export interface BatchSource {
  batch(iteration: number): Promise<readonly TrainingSample[]>;
}

export interface TrainOptions {
  readonly model: TrainableDetector;
  readonly data: BatchSource;
  /** Holds the momentum buffers; load them (resume) before calling. */
  readonly optimizer: Sgd;
  readonly schedule: LrScheduleOptions;
  /** Total iterations of the run (the loop stops when `iteration` reaches it). */
  readonly iterations: number;
  /** Iterations already done (from a resumed checkpoint's state). Default 0. */
  readonly startIteration?: number;
  /** Clip gradients to this global L2 norm (torch clip_grad_norm_); off when absent. */
  readonly clipGradNorm?: number;
  /** Directory for checkpoints; with `checkpointEvery`, one every that many iterations, and one at the end. */
  readonly checkpointDir?: string;
  readonly checkpointEvery?: number;
  /** Saved with every checkpoint (seed, label map, ...); `iteration` is filled in by the loop. */
  readonly state?: Omit<TrainingState, 'iteration'>;
  /** Further metadata of every checkpoint's model file (see `saveCheckpoint`). */
  readonly checkpointMetadata?: Readonly<Record<string, string>>;
  /** Called after every `evaluateEvery` iterations (and after the last) with the iterations done. */
  readonly evaluateEvery?: number;
  readonly evaluate?: (iteration: number) => Promise<Record<string, number> | undefined>;
  readonly onProgress?: (record: ProgressRecord) => void;
  /** Aborting stops the run before the next step, with a checkpoint (Ctrl-C: see `stopOnInterrupt`). */
  readonly signal?: AbortSignal;
  /** Replaces `@rcnn/core`'s `variableGradsAsync` (see `lossGradients`). */
  readonly gradients?: GradientFunction;
  /**
   * Multi-scale training: each iteration passes one of these to `model.loss` as `minSize`, drawn
   * from (`state.seed`, iteration) so a resumed run draws the same (torchvision's transform picks
   * `random.choice(min_size)` per batch). The model's own size when absent.
   */
  readonly minSizes?: readonly number[];
}

export interface TrainResult {
  /** Iterations completed. */
  readonly iteration: number;
  readonly stopped: 'completed' | 'interrupted' | 'non-finite-loss';
  /** Why the run stopped early, for the user. */
  readonly message?: string;
  /** The last checkpoint written (the last good one when the run stopped on a bad loss). */
  readonly lastCheckpoint?: CheckpointPaths;
}

/**
 * The training loop, as plain as torchvision's references/detection/train.py `train_one_epoch`:
 * batch, losses summed, gradients, optional clipping, SGD at the scheduled rate; checkpoints,
 * evaluation and progress are plain calls at plain intervals. No tensor outlives its step.
 * A non-finite loss stops the run before the update (weights stay those of the last good step,
 * nothing is saved); an aborted signal saves a checkpoint and returns.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { model, data, optimizer, schedule, iterations } = options;
  const start = options.startIteration ?? 0;
  if (!Number.isInteger(iterations) || iterations < start) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `iterations (${iterations}) must be an integer >= the start (${start})`,
    );
  }
  const named = model.trainableVariables();
  const names = [...named.keys()];
  const variables = names.map((n) => named.get(n) as NonNullable<ReturnType<typeof named.get>>);
  const timer = new StepTimer();
  let lastCheckpoint: CheckpointPaths | undefined;
  const checkpoint = async (iteration: number): Promise<CheckpointPaths | undefined> => {
    if (!options.checkpointDir) return undefined;
    const state = { seed: 0, ...options.state, iteration };
    lastCheckpoint = await saveCheckpoint(
      options.checkpointDir,
      model,
      optimizer,
      state,
      options.checkpointMetadata,
    );
    return lastCheckpoint;
  };

  for (let iteration = start; iteration < iterations; iteration++) {
    // With its batch ready, a step awaits only settled promises (microtasks), so without this the
    // event loop would not get a turn for hours: no Ctrl-C, no log or checkpoint file callbacks.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) {
      const written = await checkpoint(iteration);
      return {
        iteration,
        stopped: 'interrupted',
        message: `interrupted after iteration ${iteration}${written ? `; checkpoint ${written.model}` : ''}`,
        lastCheckpoint,
      };
    }
    const began = performance.now();
    const samples = await data.batch(iteration);
    const tensors = samples.map(sampleToTensors);
    let step: Awaited<ReturnType<typeof lossGradients>>;
    try {
      step = await lossGradients(
        model,
        tensors.map((t) => t.image),
        tensors.map((t) => t.target),
        variables,
        options.gradients,
        minSize(options, iteration),
      );
    } finally {
      tensors.forEach(disposeSampleTensors);
    }
    let { grads } = step;
    const stop = (what: string): TrainResult => {
      const terms = Object.entries(step.terms)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return {
        iteration,
        stopped: 'non-finite-loss',
        message:
          `${what} at iteration ${iteration + 1} (${terms}); stopped before updating. ` +
          (lastCheckpoint
            ? `Last good checkpoint: ${lastCheckpoint.model}`
            : 'No checkpoint was written by this run.') +
          ' Lower --lr, add gradient clipping or check the data.',
        lastCheckpoint,
      };
    };
    if (!Number.isFinite(step.total)) {
      for (const g of grads) g?.dispose();
      return stop(`loss is ${step.total}`);
    }
    let gradNorm: number | undefined;
    if (options.clipGradNorm !== undefined) {
      const clipped = await clipGradNorm(grads, options.clipGradNorm);
      for (const g of grads) g?.dispose();
      grads = clipped.grads;
      gradNorm = clipped.totalNorm;
      if (!Number.isFinite(gradNorm)) {
        for (const g of grads) g?.dispose();
        return stop(`gradient norm is ${gradNorm}`);
      }
    }
    const lr = learningRateAt(schedule, iteration);
    optimizer.step(named, new Map(names.map((n, i) => [n, grads[i]])), lr);
    for (const g of grads) g?.dispose();

    // Step time without evaluation and checkpoint writing (those are occasional).
    const secondsPerIteration = timer.add((performance.now() - began) / 1000);
    const done = iteration + 1;
    let evaluation: Record<string, number> | undefined;
    const evaluateNow = options.evaluateEvery && (done % options.evaluateEvery === 0 || done === iterations);
    if (evaluateNow && options.evaluate) evaluation = await options.evaluate(done);
    let written: CheckpointPaths | undefined;
    const every = options.checkpointEvery;
    if (done === iterations || (every && done % every === 0)) written = await checkpoint(done);

    options.onProgress?.({
      iteration: done,
      iterations,
      losses: step.terms,
      total: step.total,
      lr,
      ...(gradNorm !== undefined ? { gradNorm } : {}),
      secondsPerIteration,
      etaSeconds: secondsPerIteration * (iterations - done),
      memory: { rssMegabytes: process.memoryUsage().rss / 2 ** 20, tensors: tf.memory().numTensors },
      ...(evaluation ? { evaluation } : {}),
      ...(written ? { checkpoint: written.model } : {}),
    });
  }
  return { iteration: Math.max(start, iterations), stopped: 'completed', lastCheckpoint };
}

/** The `minSize` of an iteration's loss call (see `TrainOptions.minSizes`). */
function minSize(options: TrainOptions, iteration: number): { minSize: number } | undefined {
  const sizes = options.minSizes;
  if (!sizes || sizes.length === 0) return undefined;
  return { minSize: sizes[SeededRng.derive(options.state?.seed ?? 0, 0x315e, iteration).int(sizes.length)] };
}
