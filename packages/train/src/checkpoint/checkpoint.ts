import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RcnnError, readSafetensors, type StateDict, writeSafetensors } from '@rcnn/core';
import type { LabelMap } from '../data/label-map';
import type { Sgd } from '../optim/sgd';
import type { TrainableDetector } from '../trainable-detector';

/** Everything besides weights that a resumed run needs to continue exactly. */
export interface TrainingState {
  /** Iterations completed (the next step is this one, 0-based). */
  readonly iteration: number;
  /** The run's seed (data order and augmentation are derived from it and the iteration). */
  readonly seed: number;
  /** State of any extra random source of the run (SeededRng.getState()). */
  readonly rngState?: number;
  /** COCO category id of each contiguous label (label i+1 <- categoryIds[i]; 0 is background). */
  readonly labelMap?: LabelMap;
}

/** Paths of one checkpoint. */
export interface CheckpointPaths {
  /** The model's state_dict (torch layout, torchvision names; `safetensors.torch.load_file` + `load_state_dict`). */
  readonly model: string;
  /** SGD momentum buffers keyed by parameter name (tfjs layout) and the training state. */
  readonly optimizer: string;
}

const METADATA_KEY = 'rcnn.train';
const LATEST = 'latest-checkpoint.json';

/** A checkpoint read back: weights (torch layout), momentum buffers (tfjs layout), state. */
export interface LoadedCheckpoint {
  readonly paths: CheckpointPaths;
  readonly stateDict: StateDict;
  readonly momentum: Map<string, { shape: number[]; data: Float32Array }>;
  readonly state: TrainingState;
}

function pathsFor(directory: string, iteration: number): CheckpointPaths {
  const stem = join(directory, `checkpoint-${String(iteration).padStart(7, '0')}`);
  return { model: `${stem}.safetensors`, optimizer: `${stem}.optimizer.safetensors` };
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, then a rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function firstNonFinite(entries: Iterable<[string, { data: ArrayLike<number> }]>): string | undefined {
  for (const [name, { data }] of entries) {
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return name;
  }
  return undefined;
}

/**
 * Saves model weights, optimizer state and training state as two safetensors files (each written
 * atomically), then points `latest-checkpoint.json` at them. Refuses weights or buffers holding
 * NaN or infinity, so a bad step never overwrites a good checkpoint.
 * @param modelMetadata further safetensors metadata for the model file (e.g. `@rcnn/models`'
 *   `rcnn.model` record, so the file says what model it is); the training state's key wins
 * @throws RcnnError `INVALID_WEIGHTS` naming the first non-finite tensor
 */
export async function saveCheckpoint(
  directory: string,
  model: TrainableDetector,
  optimizer: Sgd,
  state: TrainingState,
  modelMetadata: Readonly<Record<string, string>> = {},
): Promise<CheckpointPaths> {
  const stateDict = await model.saveStateDict();
  const momentum = await optimizer.stateDict();
  const bad = firstNonFinite(stateDict) ?? firstNonFinite(momentum);
  if (bad !== undefined) {
    throw new RcnnError(
      'INVALID_WEIGHTS',
      `not saving iteration ${state.iteration}: "${bad}" holds NaN or infinity`,
    );
  }
  const paths = pathsFor(directory, state.iteration);
  const metadata = {
    [METADATA_KEY]: JSON.stringify(state),
    optimizer: JSON.stringify({
      kind: 'sgd',
      momentum: optimizer.momentum,
      weightDecay: optimizer.weightDecay,
      nesterov: optimizer.nesterov,
      layout: 'tfjs',
    }),
  };
  const buffers: StateDict = new Map(
    [...momentum].map(([name, { shape, data }]) => [name, { dtype: 'float32' as const, shape, data }]),
  );
  await writeFileAtomic(paths.optimizer, writeSafetensors(buffers, metadata));
  await writeFileAtomic(
    paths.model,
    writeSafetensors(stateDict, { ...modelMetadata, [METADATA_KEY]: JSON.stringify(state) }),
  );
  // File names relative to the directory, so a moved or differently addressed run still resumes.
  const latest = {
    iteration: state.iteration,
    model: basename(paths.model),
    optimizer: basename(paths.optimizer),
  };
  await writeFileAtomic(join(directory, LATEST), `${JSON.stringify(latest)}\n`);
  return paths;
}

/**
 * Reads a checkpoint: `path` is a model file written by {@link saveCheckpoint} (its optimizer file
 * is found beside it) or a directory (its latest checkpoint).
 * @throws RcnnError `INVALID_ARGUMENT` when files are missing, `INVALID_WEIGHTS` when unreadable
 */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  let paths: CheckpointPaths;
  if (path.endsWith('.safetensors')) {
    paths = { model: path, optimizer: path.replace(/\.safetensors$/, '.optimizer.safetensors') };
  } else {
    const latest = JSON.parse(await readText(join(path, LATEST))) as CheckpointPaths;
    paths = { model: join(path, basename(latest.model)), optimizer: join(path, basename(latest.optimizer)) };
  }
  const model = readSafetensors(await readBytes(paths.model));
  const optimizer = readSafetensors(await readBytes(paths.optimizer));
  const text = optimizer.metadata[METADATA_KEY] ?? model.metadata[METADATA_KEY];
  if (text === undefined) {
    throw new RcnnError('INVALID_WEIGHTS', `${paths.optimizer} has no "${METADATA_KEY}" training state`);
  }
  const momentum = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, tensor] of optimizer.tensors) {
    momentum.set(name, { shape: tensor.shape.slice(), data: tensor.data as Float32Array });
  }
  return { paths, stateDict: model.tensors, momentum, state: JSON.parse(text) as TrainingState };
}

/**
 * Loads a checkpoint into a model and optimizer (strict: every weight must be present).
 * @returns the training state to continue from (`iteration` is the next step)
 */
export async function resumeFromCheckpoint(
  path: string,
  model: TrainableDetector,
  optimizer: Sgd,
): Promise<TrainingState> {
  const checkpoint = await loadCheckpoint(path);
  model.loadStateDict(checkpoint.stateDict, { strict: true });
  optimizer.loadStateDict(checkpoint.momentum);
  return checkpoint.state;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw new RcnnError('INVALID_ARGUMENT', `cannot read checkpoint ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function readText(path: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(path));
}
