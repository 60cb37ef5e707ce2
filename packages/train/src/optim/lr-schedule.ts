import { RcnnError } from '@rcnn/core';

/**
 * A learning-rate schedule by iteration, as torchvision's references/detection/train.py builds it
 * but stepped per iteration: a linear warm-up (torch LinearLR, `start_factor` -> 1 over
 * `warmupIters`) multiplied by the main schedule, multi-step (torch MultiStepLR: times `gamma` at
 * each milestone) or cosine (torch CosineAnnealingLR to `etaMin` over `tMax`, then held at `etaMin`
 * where torch would rise again).
 */
export type LrScheduleOptions = {
  /** Base learning rate (torch `--lr`). */
  readonly lr: number;
  /** Warm-up iterations (torchvision: `min(1000, len(data_loader) - 1)` in the first epoch); 0 for none. */
  readonly warmupIters?: number;
  /** LinearLR start factor; torchvision's references use 0.001. */
  readonly warmupFactor?: number;
} & (
  | { readonly kind?: 'multistep'; readonly milestones?: readonly number[]; readonly gamma?: number }
  | { readonly kind: 'cosine'; readonly tMax: number; readonly etaMin?: number }
);

/**
 * The learning rate used at `iteration` (0-based: the rate of the step that iteration takes).
 * Closed forms of torch's recursive scheduler updates; they agree to float64 rounding.
 */
export function learningRateAt(options: LrScheduleOptions, iteration: number): number {
  const { lr } = options;
  if (!Number.isInteger(iteration) || iteration < 0) {
    throw new RcnnError('INVALID_ARGUMENT', `iteration must be a non-negative integer, got ${iteration}`);
  }
  const warmupIters = options.warmupIters ?? 0;
  const startFactor = options.warmupFactor ?? 0.001;
  const warmup =
    warmupIters > 0 ? startFactor + ((1 - startFactor) * Math.min(iteration, warmupIters)) / warmupIters : 1;
  if (options.kind === 'cosine') {
    const etaMin = options.etaMin ?? 0;
    const t = Math.min(iteration, options.tMax);
    return warmup * (etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * t) / options.tMax))) / 2);
  }
  const gamma = options.gamma ?? 0.1;
  const passed = (options.milestones ?? []).filter((m) => m <= iteration).length;
  return lr * warmup * gamma ** passed;
}
