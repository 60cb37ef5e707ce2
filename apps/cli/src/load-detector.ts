import { RcnnError, readStateDict, type StateDict } from '@rcnn/core';
import {
  type ArchitectureName,
  type CreateDetectorOptions,
  createDetector,
  deterministicWeightsFor,
  type GeneralizedRcnn,
  parseArchitectureName,
} from '@rcnn/models';
import { checkpointCountProblem } from './checkpoint-counts';
import { CliError, type CliIo } from './command';
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
  /** Reading, building and loading, in milliseconds. */
  readonly loadMs: number;
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

async function readWeights(io: CliIo, path: string, command: string): Promise<StateDict> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readBytes(path);
  } catch (error) {
    throw new CliError(`${command}: cannot read --weights ${path}: ${(error as Error).message}`, 1);
  }
  let stateDict: StateDict;
  try {
    stateDict = readStateDict(bytes);
  } catch (error) {
    if (error instanceof RcnnError) {
      throw new CliError(
        `${command}: --weights ${path} is not a readable .pth or .safetensors state_dict: ${error.message}`,
        1,
      );
    }
    throw error;
  }
  const problem = checkpointCountProblem(stateDict);
  if (problem) throw new CliError(`${command}: --weights ${shown(path)}: ${problem}`, 1);
  return stateDict;
}

/**
 * Builds `architecture` with `options` and loads `weights`: a torchvision `.pth` or
 * `.safetensors` state_dict, loaded strictly (missing, unexpected or mis-shaped entries are an
 * error listing them), or {@link DETERMINISTIC_WEIGHTS}. Caller owns the model (`dispose()`).
 * @throws CliError exit code 1 for an unreadable or mismatched checkpoint, 2 for bad options
 */
export async function loadDetector(
  io: CliIo,
  architecture: ArchitectureName,
  weights: string,
  given: CreateDetectorOptions,
  command: string,
): Promise<LoadedDetector> {
  const start = performance.now();
  const deterministic = weights === DETERMINISTIC_WEIGHTS;
  const options = deterministic ? { ...DETERMINISTIC_DEFAULTS, ...given } : given;
  const stateDict = deterministic ? undefined : await readWeights(io, weights, command);
  let model: GeneralizedRcnn;
  try {
    model = createDetector(architecture, stateDict ? { ...options, weights: stateDict } : options);
  } catch (error) {
    if (!(error instanceof RcnnError)) throw error;
    if (stateDict) {
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
  return { model, architecture, options, deterministic, loadMs: performance.now() - start };
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
