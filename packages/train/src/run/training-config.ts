import { RcnnError } from '@rcnn/core';

/**
 * Everything `runTraining` takes besides the model, named as torchvision's
 * references/detection/train.py flags (kebab-case keys in a `--config` JSON; camelCase here).
 * Schedule lengths are in iterations (torchvision's `--lr-steps` count epochs).
 */
export interface TrainingConfig {
  readonly trainJson: string;
  readonly trainImages: string;
  readonly valJson?: string;
  readonly valImages?: string;
  /** Output directory: checkpoints, log.csv, loss-curve.png. */
  readonly out: string;
  readonly iterations: number;
  /** Base learning rate (torchvision default 0.02 for 8 GPUs x 2 images; scale with the batch). */
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly batchSize: number;
  /** `multisteplr` (steps at `lrSteps`) or `cosineannealinglr` (over all iterations), torchvision's names. */
  readonly lrScheduler: 'multisteplr' | 'cosineannealinglr';
  readonly lrSteps: readonly number[];
  readonly lrGamma: number;
  readonly warmupIters: number;
  readonly warmupFactor: number;
  /** Global gradient-norm clip; 0 disables. */
  readonly clipGradNorm: number;
  readonly seed: number;
  /** Decode worker threads (0: decode on the main thread). */
  readonly workers: number;
  readonly aspectRatioGroupFactor: number;
  /** Horizontal-flip probability (torchvision `--data-augmentation hflip`: 0.5). */
  readonly flipProbability: number;
  readonly cropProbability: number;
  /** Multi-scale training: the model's short side per iteration, one of these (empty: the model's own). */
  readonly minSizes: readonly number[];
  readonly checkpointEvery: number;
  /** Evaluate on the val set every this many iterations (0: only at the end, when a val set is given). */
  readonly evaluateEvery: number;
  readonly printFreq: number;
  /** `header` (fast), `decode` (thorough) or `none`. */
  readonly checkImages: 'header' | 'decode' | 'none';
  /** A checkpoint file or output directory to continue from. */
  readonly resume?: string;
}

export const TRAINING_DEFAULTS = {
  lr: 0.02,
  momentum: 0.9,
  weightDecay: 1e-4,
  nesterov: false,
  batchSize: 2,
  lrScheduler: 'multisteplr',
  lrSteps: [],
  lrGamma: 0.1,
  warmupIters: 1000,
  warmupFactor: 0.001,
  clipGradNorm: 0,
  seed: 0,
  workers: 2,
  aspectRatioGroupFactor: 3,
  flipProbability: 0.5,
  cropProbability: 0,
  minSizes: [],
  checkpointEvery: 1000,
  evaluateEvery: 0,
  printFreq: 20,
  checkImages: 'header',
} as const satisfies Partial<TrainingConfig>;

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'numbers';
const KEYS: Record<keyof TrainingConfig, Kind> = {
  trainJson: 'string',
  trainImages: 'string',
  valJson: 'string',
  valImages: 'string',
  out: 'string',
  iterations: 'integer',
  lr: 'number',
  momentum: 'number',
  weightDecay: 'number',
  nesterov: 'boolean',
  batchSize: 'integer',
  lrScheduler: 'string',
  lrSteps: 'numbers',
  lrGamma: 'number',
  warmupIters: 'integer',
  warmupFactor: 'number',
  clipGradNorm: 'number',
  seed: 'integer',
  workers: 'integer',
  aspectRatioGroupFactor: 'integer',
  flipProbability: 'number',
  cropProbability: 'number',
  minSizes: 'numbers',
  checkpointEvery: 'integer',
  evaluateEvery: 'integer',
  printFreq: 'integer',
  checkImages: 'string',
  resume: 'string',
};

/** `lr-steps` -> `lrSteps`. */
export function camelCase(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** `lrSteps` -> `lr-steps` (the flag and config-file name). */
export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The flag names `rcnn train` accepts for the config (`--lr`, `--lr-steps`, ...). */
export const TRAINING_CONFIG_FLAGS: readonly string[] = Object.keys(KEYS).map(kebabCase);

/**
 * Builds a config from layers of settings (e.g. a `--config` JSON, then flags), later layers
 * winning; keys in kebab-case as the flags (camelCase accepted). Values may be strings (from flags:
 * numbers parsed, lists comma-separated) or JSON values. Unknown keys and bad values are errors
 * naming the key.
 * @throws RcnnError `INVALID_ARGUMENT`
 */
export function resolveTrainingConfig(...layers: readonly Record<string, unknown>[]): TrainingConfig {
  const merged: Record<string, unknown> = { ...TRAINING_DEFAULTS };
  for (const layer of layers) {
    for (const [rawKey, raw] of Object.entries(layer)) {
      if (raw === undefined) continue;
      const key = camelCase(rawKey) as keyof TrainingConfig;
      const kind = KEYS[key];
      if (!kind) {
        throw new RcnnError(
          'INVALID_ARGUMENT',
          `unknown training setting "${rawKey}" (known: ${TRAINING_CONFIG_FLAGS.join(', ')})`,
        );
      }
      merged[key] = convert(kebabCase(key), kind, raw);
    }
  }
  for (const key of ['trainJson', 'trainImages', 'out', 'iterations'] as const) {
    if (merged[key] === undefined) throw new RcnnError('INVALID_ARGUMENT', `--${kebabCase(key)} is required`);
  }
  if (!['multisteplr', 'cosineannealinglr'].includes(merged.lrScheduler as string)) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `--lr-scheduler must be multisteplr or cosineannealinglr, got ${merged.lrScheduler}`,
    );
  }
  if (!['header', 'decode', 'none'].includes(merged.checkImages as string)) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `--check-images must be header, decode or none, got ${merged.checkImages}`,
    );
  }
  if ((merged.valJson === undefined) !== (merged.valImages === undefined)) {
    throw new RcnnError('INVALID_ARGUMENT', '--val-json and --val-images go together');
  }
  return merged as unknown as TrainingConfig;
}

function convert(name: string, kind: Kind, raw: unknown): unknown {
  const bad = (what: string) =>
    new RcnnError('INVALID_ARGUMENT', `--${name} must be ${what}, got ${JSON.stringify(raw)}`);
  const number = (value: unknown): number => {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw bad('a number');
    return n;
  };
  switch (kind) {
    case 'string':
      if (typeof raw !== 'string' || raw === '') throw bad('a non-empty string');
      return raw;
    case 'number': {
      const n = number(raw);
      if (n < 0) throw bad('a number >= 0');
      return n;
    }
    case 'integer': {
      const n = number(raw);
      if (!Number.isInteger(n) || (n < 0 && name !== 'aspect-ratio-group-factor'))
        throw bad('a non-negative integer');
      return n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw bad('true or false');
    case 'numbers': {
      const list = typeof raw === 'string' ? raw.split(',').filter((s) => s.trim() !== '') : raw;
      if (!Array.isArray(list)) throw bad('a list of numbers');
      return list.map(number);
    }
  }
}
