import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RcnnError } from '@rcnn/core';
import { keypointFlipMap } from '../augment/horizontal-flip';
import { loadCheckpoint, writeFileAtomic } from '../checkpoint/checkpoint';
import { checkImageFiles } from '../data/check-image-files';
import { CocoDataLoader } from '../data/coco-data-loader';
import { readCocoTrainingSet } from '../data/coco-training-set';
import type { LabelMap } from '../data/label-map';
import { CsvLog, isLossColumn, readCsvLog } from '../log/csv-log';
import { lossSeries, renderLossCurvePng } from '../log/loss-curve-png';
import { formatProgress, type ProgressRecord } from '../loop/progress';
import { type TrainResult, train } from '../loop/train';
import type { LrScheduleOptions } from '../optim/lr-schedule';
import { Sgd } from '../optim/sgd';
import type { GradientFunction, TrainableDetector } from '../trainable-detector';
import type { TrainingConfig } from './training-config';

/** What the model must be built for, from the training set. */
export interface ModelSpec {
  /** Classes including background (torchvision `num_classes`). */
  readonly numClasses: number;
  readonly labelMap: LabelMap;
  /** Keypoints per instance (0 when the set has none). */
  readonly numKeypoints: number;
  /** Whether the set has masks for every instance. */
  readonly masks: boolean;
}

export interface RunTrainingOptions {
  readonly config: TrainingConfig;
  /** Builds the model for the training set (weights loaded from a resumed checkpoint afterwards). */
  readonly createModel: (spec: ModelSpec) => TrainableDetector | Promise<TrainableDetector>;
  /**
   * Further metadata of every checkpoint's model file, from what the model was built for (e.g.
   * `@rcnn/models`' `rcnn.model` record: architecture, options, class names).
   */
  readonly checkpointMetadata?: (spec: ModelSpec) => Readonly<Record<string, string>>;
  /** COCO evaluation on the val set (evaluation lives elsewhere, e.g. `@rcnn/coco-eval`). */
  readonly evaluate?: (model: TrainableDetector, iteration: number) => Promise<Record<string, number>>;
  /** `@rcnn/core`'s `variableGradsAsync` (see `lossGradients`). */
  readonly gradients?: GradientFunction;
  /** Lines for the user (default: stderr). */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** The built decode worker (default: beside this package's bundle). */
  readonly workerUrl?: URL;
}

/**
 * A whole training run from a {@link TrainingConfig}, as torchvision's references/detection/train.py
 * `main`: the dataset read and checked, the model built, optionally resumed, then the loop with a
 * CSV log (`out/log.csv`), a loss curve (`out/loss-curve.png`, redrawn at each checkpoint),
 * checkpoints in `out/` and a progress line every `printFreq` iterations.
 * @returns the loop's result and the trained model (caller owns it)
 */
export async function runTraining(
  options: RunTrainingOptions,
): Promise<TrainResult & { model: TrainableDetector }> {
  const { config } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const set = readCocoTrainingSet(JSON.parse(await readFile(config.trainJson, 'utf8')), config.trainJson);
  log(
    `${config.trainJson}: ${set.images.length} images, ${set.labelMap.categoryIds.length} categories` +
      (set.skippedWithoutAnnotations
        ? `, ${set.skippedWithoutAnnotations} images without annotations skipped`
        : '') +
      (set.crowdIgnored ? `, ${set.crowdIgnored} crowd annotations ignored` : ''),
  );
  await checkImageFiles(set, config.trainImages, config.checkImages, config.trainJson);
  const spec: ModelSpec = {
    numClasses: set.labelMap.categoryIds.length + 1,
    labelMap: set.labelMap,
    numKeypoints: set.numKeypoints,
    masks: set.hasMasks,
  };
  const model = await options.createModel(spec);
  const optimizer = new Sgd({
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    nesterov: config.nesterov,
  });
  let startIteration = 0;
  let seed = config.seed;
  if (config.resume) {
    const checkpoint = await loadCheckpoint(config.resume);
    if (JSON.stringify(checkpoint.state.labelMap?.categoryIds) !== JSON.stringify(set.labelMap.categoryIds)) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `${checkpoint.paths.model} was trained on other categories than ${config.trainJson}`,
      );
    }
    model.loadStateDict(checkpoint.stateDict, { strict: true });
    optimizer.loadStateDict(checkpoint.momentum);
    startIteration = checkpoint.state.iteration;
    seed = checkpoint.state.seed;
    log(`resumed from ${checkpoint.paths.model} at iteration ${startIteration}`);
  }
  const loader = new CocoDataLoader({
    set,
    imageDirectory: config.trainImages,
    batchSize: config.batchSize,
    seed,
    workers: config.workers,
    aspectRatioGroupFactor: config.aspectRatioGroupFactor,
    augment: {
      flipProbability: config.flipProbability,
      ...(set.numKeypoints > 0 ? { keypointFlipMap: keypointFlipMap(set.keypointNames) } : {}),
      cropProbability: config.cropProbability,
    },
    ...(options.workerUrl ? { workerUrl: options.workerUrl } : {}),
  });
  const csvPath = join(config.out, 'log.csv');
  const history = readHistory(csvPath, startIteration);
  if (startIteration > 0 && existsSync(csvPath))
    await writeFileAtomic(csvPath, truncatedLog(csvPath, startIteration));
  const csv = new CsvLog(csvPath);
  let writes = Promise.resolve();
  const drawCurve = () => {
    const { series } = lossSeries(history);
    writes = writes.then(() =>
      writeFileAtomic(join(config.out, 'loss-curve.png'), renderLossCurvePng(series)),
    );
  };
  const evaluate = options.evaluate;
  if (config.valJson && !evaluate) log('no evaluation function given: the val set is not evaluated');
  try {
    const result = await train({
      model,
      data: loader,
      optimizer,
      schedule: schedule(config),
      iterations: config.iterations,
      startIteration,
      ...(config.clipGradNorm > 0 ? { clipGradNorm: config.clipGradNorm } : {}),
      checkpointDir: config.out,
      checkpointEvery: config.checkpointEvery,
      state: { seed, labelMap: set.labelMap },
      ...(options.checkpointMetadata ? { checkpointMetadata: options.checkpointMetadata(spec) } : {}),
      ...(config.minSizes.length > 0 ? { minSizes: config.minSizes } : {}),
      ...(evaluate && config.valJson
        ? {
            evaluateEvery: config.evaluateEvery || config.iterations,
            evaluate: (i: number) => evaluate(model, i),
          }
        : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.gradients ? { gradients: options.gradients } : {}),
      onProgress: (record: ProgressRecord) => {
        history.push(record);
        csv.append(record);
        if (record.iteration % config.printFreq === 0 || record.iteration === record.iterations)
          log(formatProgress(record));
        if (record.evaluation) log(`evaluation at ${record.iteration}: ${JSON.stringify(record.evaluation)}`);
        if (record.checkpoint) drawCurve();
      },
    });
    drawCurve();
    if (result.message) log(result.message);
    return { ...result, model };
  } finally {
    await loader.close();
    await writes;
    optimizer.dispose();
  }
}

/** The learning-rate schedule of a config (warm-up at most the run's length, as torchvision caps it). */
export function schedule(config: TrainingConfig): LrScheduleOptions {
  const warm = {
    lr: config.lr,
    warmupIters: Math.min(config.warmupIters, Math.max(0, config.iterations - 1)),
    warmupFactor: config.warmupFactor,
  };
  return config.lrScheduler === 'cosineannealinglr'
    ? { ...warm, kind: 'cosine', tMax: config.iterations }
    : { ...warm, milestones: config.lrSteps, gamma: config.lrGamma };
}

/** The CSV log without rows past `iteration` (steps after the checkpoint a run resumes from). */
function truncatedLog(path: string, iteration: number): string {
  const [header, ...rows] = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
  return `${[header, ...rows.filter((row) => Number(row.split(',', 1)[0]) <= iteration)].join('\n')}\n`;
}

/** Loss history of an earlier part of the run (for the curve of a resumed run), up to `iteration`. */
function readHistory(
  path: string,
  iteration: number,
): { iteration: number; total: number; losses: Record<string, number> }[] {
  if (iteration === 0 || !existsSync(path)) return [];
  const { columns, rows } = readCsvLog(readFileSync(path, 'utf8'));
  const terms = columns.filter(isLossColumn);
  return rows
    .filter((row) => row[0] <= iteration)
    .map((row) => ({
      iteration: row[0],
      total: row[columns.indexOf('total')],
      losses: Object.fromEntries(terms.map((t) => [t, row[columns.indexOf(t)]])),
    }));
}
