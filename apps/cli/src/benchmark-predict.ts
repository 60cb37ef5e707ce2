import type { GeneralizedRcnn, PredictStage } from '@rcnn/models';
import type * as tf from '@tensorflow/tfjs-core';
import { detectImage } from './detect-image';

/** The stages `rcnn bench` reports, in order, with their JSON names. */
export const BENCH_STAGES: readonly (readonly [PredictStage, string])[] = [
  ['transform', 'transform'],
  ['backbone', 'backbone'],
  ['rpn', 'rpn'],
  ['roiHeads', 'roi_heads'],
  ['postprocess', 'postprocess'],
];

/** What {@link benchmarkPredict} measured, in milliseconds. */
export interface PredictBenchmark {
  /** Median over the timed runs of one image's whole detection (predict + download). */
  readonly medianMs: number;
  /** Median of each stage over the timed runs, keyed by JSON name (`roi_heads`, ...). */
  readonly stagesMs: Record<string, number>;
  /** Each timed run's total, in order. */
  readonly runsMs: number[];
  /** The warm-up runs' totals (the first includes kernel set-up and XNNPACK packing). */
  readonly warmupMs: number[];
  /** Detections in the last run. */
  readonly instances: number;
}

/** Options of {@link benchmarkPredict}. */
export interface BenchmarkPredictOptions {
  readonly runs: number;
  readonly warmup: number;
  /** Called after each run (warm-up runs included) with its total time. */
  readonly onRun?: (kind: 'warmup' | 'run', index: number, milliseconds: number) => void;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Times what `rcnn predict` does per image (`GeneralizedRcnn.predict`, then pasting masks, RLE
 * and the read-back; no file I/O or drawing), in this process, after `warmup` untimed runs.
 * Stages come from predict's `onStage` callback. `image` is not disposed.
 */
export async function benchmarkPredict(
  model: GeneralizedRcnn,
  image: tf.Tensor3D,
  { runs, warmup, onRun }: BenchmarkPredictOptions,
): Promise<PredictBenchmark> {
  const warmupMs: number[] = [];
  const runsMs: number[] = [];
  const stageRuns: Partial<Record<PredictStage, number>>[] = [];
  let instances = 0;
  for (let i = 0; i < warmup + runs; i++) {
    const stages: Partial<Record<PredictStage, number>> = {};
    const start = performance.now();
    const detected = await detectImage(model, image, {
      onStage: (stage, milliseconds) => {
        stages[stage] = (stages[stage] ?? 0) + milliseconds;
      },
    });
    const total = performance.now() - start;
    instances = detected.length;
    const warm = i < warmup;
    (warm ? warmupMs : runsMs).push(total);
    if (!warm) stageRuns.push(stages);
    onRun?.(warm ? 'warmup' : 'run', warm ? i : i - warmup, total);
  }
  const stagesMs = Object.fromEntries(
    BENCH_STAGES.map(([stage, key]) => [key, median(stageRuns.map((times) => times[stage] ?? 0))]),
  );
  return { medianMs: median(runsMs), stagesMs, runsMs, warmupMs, instances };
}
