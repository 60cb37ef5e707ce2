import { RcnnError } from '@rcnn/core';
import {
  type ArchitectureName,
  type Checkpoint,
  type CreateDetectorOptions,
  createDetector,
  deterministicWeightsFor,
  type GeneralizedRcnn,
  type ModelRecord,
  parseArchitectureName,
  readCheckpoint,
} from '@rcnn/models';
import { checkpointCountProblem } from './checkpoint-counts';
import { CliError, type CliIo } from './command';
import { defaultWeightsPath, noDefaultWeightsMessage } from './default-weights';
import { parseModelOptions } from './model-options';
import { applyModelRecord, type ResolvedModel } from './model-record-options';
import { shown } from './terminal-text';

/** `--weights deterministic`: the repository's deterministic test weights instead of a file. */
export const DETERMINISTIC_WEIGHTS = 'deterministic';

/**
 * Defaults that differ under `--weights deterministic`. Untrained class scores sit near
 * 1 / numClasses (about 0.011 for COCO's 91), below torchvision's 0.05, so nothing would be
 * detected and the mask and keypoint branches would never run; keep every score and the ten
 * best, so the output is readable and every stage is exercised.
 */
export const DETERMINISTIC_DEFAULTS: Readonly<CreateDetectorOptions> = {
  boxScoreThresh: 0,
  boxDetectionsPerImg: 10,
};

/** A built detector and how it was made. */
export interface LoadedDetector {
  readonly model: GeneralizedRcnn;
  readonly architecture: ArchitectureName;
  /** The options the preset was built with (the given ones plus any deterministic defaults). */
  readonly options: CreateDetectorOptions;
  readonly deterministic: boolean;
  /** The weights file's model record (`rcnn.model`), when it has one. */
  readonly record?: ModelRecord;
  /** The weights file's safetensors metadata (empty for a `.pth` file or deterministic weights). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Reading, building and loading, in milliseconds. */
  readonly loadMs: number;
}

/** What the command line asks for, checked before anything is read. */
export interface DetectorRequest {
  /** `--arch`; optional when the weights file has a model record. */
  readonly architecture?: ArchitectureName;
  /** `--weights`: a file, or {@link DETERMINISTIC_WEIGHTS}; names the weights in messages. */
  readonly weights: string;
  /** The model flags given (a record's options fill in the rest). */
  readonly options: CreateDetectorOptions;
  /** The weights file's bytes, when already at hand (e.g. a packaged model): not read again. */
  readonly bytes?: Uint8Array;
}

/**
 * Parses `--arch`, exiting with the list of valid names on a typo.
 * @throws CliError exit code 2
 */
export function architectureFrom(name: string, command: string): ArchitectureName {
  try {
    return parseArchitectureName(name);
  } catch (error) {
    if (error instanceof RcnnError) throw new CliError(`${command}: --arch: ${error.message}`, 2);
    throw error;
  }
}

/**
 * `--arch`, `--weights` and the model flags of a command line; without `--weights`, the
 * default model (`@rcnn/default-model`).
 * @throws CliError exit code 2 for a bad name or value, or no `--arch` with deterministic weights
 */
export function detectorRequest(
  values: Readonly<Record<string, string | boolean | undefined>>,
  command: string,
): DetectorRequest {
  const weights = typeof values.weights === 'string' ? values.weights : defaultWeightsPath();
  if (weights === undefined) throw new CliError(noDefaultWeightsMessage(command), 2);
  const options = parseModelOptions(values, command);
  if (typeof values.arch === 'string') {
    return { architecture: architectureFrom(values.arch, command), weights, options };
  }
  if (weights === DETERMINISTIC_WEIGHTS) {
    throw new CliError(`${command}: --arch is required with --weights ${DETERMINISTIC_WEIGHTS}`, 2);
  }
  return { weights, options };
}

/** A weights file, read once, with its model record. */
async function readWeights(io: CliIo, request: DetectorRequest, command: string): Promise<Checkpoint> {
  const path = request.weights;
  let bytes: Uint8Array;
  try {
    bytes = request.bytes ?? (await io.readBytes(path));
  } catch (error) {
    throw new CliError(`${command}: cannot read --weights ${path}: ${(error as Error).message}`, 1);
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = readCheckpoint(bytes);
  } catch (error) {
    if (error instanceof RcnnError)
      throw new CliError(`${command}: --weights ${shown(path)}: ${error.message}`, 1);
    throw error;
  }
  const problem = checkpointCountProblem(checkpoint.stateDict);
  if (problem) throw new CliError(`${command}: --weights ${shown(path)}: ${problem}`, 1);
  return checkpoint;
}

/** What to build: the weights' model record, with the flags on top. */
function resolveModel(
  request: DetectorRequest,
  record: ModelRecord | undefined,
  command: string,
): ResolvedModel {
  const source = `--weights ${shown(request.weights)}`;
  if (record) return applyModelRecord(record, request.architecture, request.options, source, command);
  if (request.architecture === undefined) {
    throw new CliError(
      `${command}: --arch is required: ${source} has no "rcnn.model" record saying what model it is`,
      2,
    );
  }
  return { architecture: request.architecture, options: request.options };
}

/**
 * Builds the detector a request names and loads its weights: a torchvision `.pth` or
 * `.safetensors` state_dict, loaded strictly (missing, unexpected or mis-shaped entries are an
 * error listing them), or {@link DETERMINISTIC_WEIGHTS}. A safetensors file's model record
 * (`rcnn.model`) supplies the architecture and default options. Caller owns the model (`dispose()`).
 * @throws CliError exit code 1 for an unreadable or mismatched checkpoint, 2 for bad options
 */
export async function loadDetector(
  io: CliIo,
  request: DetectorRequest,
  command: string,
): Promise<LoadedDetector> {
  const start = performance.now();
  const { weights } = request;
  const deterministic = weights === DETERMINISTIC_WEIGHTS;
  const file = deterministic ? undefined : await readWeights(io, request, command);
  const { architecture, options } = file
    ? resolveModel(request, file.record, command)
    : { architecture: request.architecture!, options: { ...DETERMINISTIC_DEFAULTS, ...request.options } };
  let model: GeneralizedRcnn;
  try {
    model = createDetector(architecture, file ? { ...options, weights: file.stateDict } : options);
  } catch (error) {
    if (!(error instanceof RcnnError)) throw error;
    if (file) {
      throw new CliError(
        `${command}: --weights ${weights} does not fit ${architecture}: ${error.message}`,
        1,
      );
    }
    throw new CliError(`${command}: ${error.message}`, 2);
  }
  if (deterministic) {
    try {
      model.loadStateDict(deterministicWeightsFor(model));
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  return {
    model,
    architecture,
    options,
    deterministic,
    ...(file?.record ? { record: file.record } : {}),
    metadata: file?.metadata ?? {},
    loadMs: performance.now() - start,
  };
}

/**
 * Runs `work` with a built detector and disposes it afterwards, also on failure. A failure of
 * `dispose()` itself (e.g. a WebAssembly backend that aborted) never hides the run's own
 * failure: it is thrown only when the work succeeded (returned normally and, for commands that
 * return an exit code, returned 0); after a failure that was already reported it is ignored.
 */
export async function usingDetector<T>(loaded: LoadedDetector, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    try {
      loaded.model.dispose();
    } catch {
      // The first error is the one that explains what went wrong.
    }
    throw error;
  }
  try {
    loaded.model.dispose();
  } catch (error) {
    if (typeof result !== 'number' || result === 0) throw error;
  }
  return result;
}
