// tfjs-core's gradients, bundled so they load in plain Node too (its own entry is browser ESM only).
import '@rcnn/train-kernels/register-gradients';
import { RcnnError, readStateDict } from '@rcnn/core';
import { createDetector, deterministicWeightsFor, modelRecordMetadata } from '@rcnn/models';
import {
  fineTuneStateDict,
  kebabCase,
  type ModelSpec,
  resolveTrainingConfig,
  runTraining,
  stopOnInterrupt,
  TRAINING_CONFIG_FLAGS,
  TRAINING_DEFAULTS,
  type TrainableDetector,
} from '@rcnn/train';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import { activateBackend } from '../activate-backend';
import { CliError, type CliIo, type CommandModule } from '../command';
import { BACKEND_AND_MODEL_OPTION_SPECS } from '../detector-options';
import { architectureFrom, DETERMINISTIC_WEIGHTS } from '../load-detector';
import { parseModelOptions } from '../model-options';
import { trainedModelRecord } from '../model-record-options';
import type { OptionSpecs, ParsedArguments } from '../parse-arguments';
import { cocoValidation } from '../train-evaluation';

const COMMAND = 'rcnn train';
/** `--weights init`: the layers' own torchvision initialisation (Kaiming, normal 0.01, ...), i.e. from scratch. */
const FRESH_WEIGHTS = 'init';

/** Help text of the loop's flags (named as torchvision's references/detection/train.py). */
const DESCRIPTIONS: Record<string, [string, string]> = {
  'train-json': ['FILE', 'COCO instances JSON of the training set'],
  'train-images': ['DIR', 'folder the training JSON\'s "file_name"s are in'],
  'val-json': ['FILE', 'COCO instances JSON of the validation set'],
  'val-images': ['DIR', 'folder of the validation images'],
  out: ['DIR', 'checkpoints (checkpoint-N.safetensors, torchvision names), log.csv, loss-curve.png'],
  iterations: ['N', 'total iterations (a resumed run continues to N)'],
  lr: ['X', `base learning rate (default ${TRAINING_DEFAULTS.lr}, torchvision's for 16 images a batch)`],
  momentum: ['X', `SGD momentum (default ${TRAINING_DEFAULTS.momentum})`],
  'weight-decay': ['X', `SGD weight decay (default ${TRAINING_DEFAULTS.weightDecay})`],
  nesterov: ['BOOL', 'Nesterov momentum: true or false (default false)'],
  'batch-size': ['N', `images per iteration (default ${TRAINING_DEFAULTS.batchSize})`],
  'lr-scheduler': ['NAME', 'multisteplr (default) or cosineannealinglr'],
  'lr-steps': ['N[,N...]', 'iterations at which multisteplr multiplies the rate by --lr-gamma'],
  'lr-gamma': ['X', `multisteplr factor (default ${TRAINING_DEFAULTS.lrGamma})`],
  'warmup-iters': [
    'N',
    `linear warm-up iterations (default ${TRAINING_DEFAULTS.warmupIters}, capped at --iterations - 1)`,
  ],
  'warmup-factor': ['X', `warm-up start factor (default ${TRAINING_DEFAULTS.warmupFactor})`],
  'clip-grad-norm': ['X', 'clip gradients to this global L2 norm (default 0: off)'],
  seed: [
    'N',
    'seed of the starting weights (with --weights init), the data order and augmentation (default 0)',
  ],
  workers: ['N', `image decoding threads (default ${TRAINING_DEFAULTS.workers}; 0: main thread)`],
  'aspect-ratio-group-factor': ['K', 'aspect-ratio groups of batches (default 3; -1: off)'],
  'flip-probability': ['X', 'horizontal flip probability (default 0.5)'],
  'crop-probability': ['X', 'random crop probability (default 0)'],
  'checkpoint-every': [
    'N',
    `iterations between checkpoints (default ${TRAINING_DEFAULTS.checkpointEvery}; also at the end and on Ctrl-C)`,
  ],
  'evaluate-every': ['N', 'iterations between evaluations on the val set (default: at the end)'],
  'print-freq': ['N', `iterations between progress lines (default ${TRAINING_DEFAULTS.printFreq})`],
  'check-images': ['HOW', 'check images before training: header (default), decode or none'],
  resume: ['CKPT', 'a checkpoint-N.safetensors or the --out of a run, to continue exactly'],
};

/** `--min-size` (a model flag) carries multi-scale sizes; the library's `min-sizes` key is not a flag here. */
const LOOP_FLAGS = TRAINING_CONFIG_FLAGS.filter((flag) => flag !== 'min-sizes');

const options: OptionSpecs = {
  arch: {
    type: 'string',
    value: 'NAME',
    required: true,
    description: '{fasterrcnn,maskrcnn,keypointrcnn}_resnet{18,34,50,101}_fpn, as torchvision',
  },
  weights: {
    type: 'string',
    value: 'FILE',
    description: `starting weights: a torchvision state_dict of the same classes, '${FRESH_WEIGHTS}' (default: torchvision's random initialisation, to train from scratch) or '${DETERMINISTIC_WEIGHTS}' (the test weights)`,
  },
  'init-from': {
    type: 'string',
    value: 'FILE',
    description:
      'fine-tune a torchvision checkpoint on this dataset: every entry that fits is loaded, the predictors sized for other classes start afresh',
  },
  config: {
    type: 'string',
    value: 'FILE.json',
    description: 'settings as JSON, keys named as the flags (flags win)',
  },
  ...Object.fromEntries(
    LOOP_FLAGS.map((flag) => {
      const [value, description] = DESCRIPTIONS[flag] ?? ['X', flag];
      return [flag, { type: 'string' as const, value, description }];
    }),
  ),
  ...BACKEND_AND_MODEL_OPTION_SPECS,
};

/**
 * `rcnn train`: trains a detector on a COCO-format dataset with `@rcnn/train`'s `runTraining`
 * (SGD with warm-up and steps as torchvision's references, checkpoints, exact `--resume`, a CSV
 * log and a loss curve). Ctrl-C finishes the step, writes a checkpoint and exits 130.
 */
export const trainCommand: CommandModule = {
  name: 'train',
  summary: 'Train a detector on a COCO-format dataset (torchvision train.py flags), resumable exactly.',
  usage:
    '--arch NAME --train-json FILE --train-images DIR --out DIR --iterations N [--val-json FILE --val-images DIR] [--config FILE.json] [--resume CKPT] [--lr X --lr-steps N,N ...]',
  options,
  run: runTrain,
};

async function runTrain(args: ParsedArguments, io: CliIo): Promise<number> {
  const values = args.options as Record<string, string | boolean | undefined>;
  if (args.positionals.length > 0)
    throw new CliError(`${COMMAND}: unexpected argument '${args.positionals[0]}'`, 2);
  const architecture = architectureFrom(values.arch as string, COMMAND);
  const modelOptions = parseModelOptions(values, COMMAND);
  const fromFile = typeof values.config === 'string' ? await readConfigFile(io, values.config) : {};
  const fromFlags = Object.fromEntries(
    LOOP_FLAGS.filter((flag) => typeof values[flag] === 'string').map((f) => [f, values[f]]),
  );
  const minSize = modelOptions.minSize;
  const multiScale = Array.isArray(minSize) && minSize.length > 1 ? { 'min-sizes': minSize } : {};
  let config: ReturnType<typeof resolveTrainingConfig>;
  try {
    config = resolveTrainingConfig(fromFile, fromFlags, multiScale);
  } catch (error) {
    if (error instanceof RcnnError) throw new CliError(`${COMMAND}: ${error.message}`, 2);
    throw error;
  }
  // wasm lacks gradient kernels (Conv2DBackpropFilter, gather's); registered before the native
  // kernels so those take over where the addon loads.
  registerTrainingKernels({ backends: ['wasm'] });
  const backend = await activateBackend(values.backend as string | undefined);
  const weights = (values.weights as string | undefined) ?? FRESH_WEIGHTS;
  if (values.weights !== undefined && values['init-from'] !== undefined) {
    throw new CliError(`${COMMAND}: --weights and --init-from exclude each other`, 2);
  }
  let labelMap: ModelSpec['labelMap'] | undefined;
  const createModel = async (spec: ModelSpec): Promise<TrainableDetector> => {
    labelMap = spec.labelMap;
    for (const [given, wanted, flag] of [
      [modelOptions.numClasses, spec.numClasses, 'num-classes'],
      [modelOptions.numKeypoints, spec.numKeypoints, 'num-keypoints'],
    ] as const) {
      if (given !== undefined && given !== wanted) {
        throw new CliError(`${COMMAND}: --${flag} ${given}, but ${config.trainJson} needs ${wanted}`, 2);
      }
    }
    const keypoints = architecture.startsWith('keypointrcnn') ? { numKeypoints: spec.numKeypoints } : {};
    const model = createDetector(architecture, {
      ...modelOptions,
      numClasses: spec.numClasses,
      ...keypoints,
    });
    if (typeof (model as { loss?: unknown }).loss !== 'function') {
      model.dispose();
      throw new CliError(
        `${COMMAND}: this build of @rcnn/models cannot train (GeneralizedRcnn has no loss)`,
        1,
      );
    }
    // torchvision's init, drawn from --seed so a run from scratch can be repeated.
    if (weights === FRESH_WEIGHTS) model.resetParameters(config.seed);
    else {
      const stateDict =
        weights === DETERMINISTIC_WEIGHTS
          ? deterministicWeightsFor(model)
          : readStateDict(await io.readBytes(weights));
      model.loadStateDict(stateDict);
    }
    const initFrom = values['init-from'];
    if (typeof initFrom === 'string') {
      const merged = fineTuneStateDict(
        await model.saveStateDict(),
        readStateDict(await io.readBytes(initFrom)),
      );
      model.loadStateDict(merged.stateDict);
      const fresh = merged.reinitialised;
      io.stderr(
        `${COMMAND}: --init-from ${initFrom}: ${merged.stateDict.size - fresh.length} entries loaded` +
          (fresh.length > 0 ? `; started afresh for ${spec.numClasses} classes: ${fresh.join(', ')}` : '') +
          '\n',
      );
    }
    io.stderr(
      `${COMMAND}: ${architecture}, ${spec.numClasses} classes, ${backend} backend, ${typeof initFrom === 'string' ? 'fine-tuned' : weights} weights\n`,
    );
    return model as unknown as TrainableDetector;
  };
  const { signal, remove } = stopOnInterrupt();
  try {
    const { valJson, valImages } = config;
    let validate: ((model: TrainableDetector) => Promise<Record<string, number>>) | undefined;
    const evaluate =
      valJson && valImages
        ? (model: TrainableDetector) => {
            validate ??= cocoValidation(
              io,
              { json: valJson, images: valImages, labelMap: labelMap! },
              COMMAND,
            );
            return validate(model);
          }
        : undefined;
    const result = await runTraining({
      config,
      createModel,
      // Every checkpoint says what model it is, so predict and convert need no --arch or flags.
      checkpointMetadata: (spec) => modelRecordMetadata(trainedModelRecord(architecture, modelOptions, spec)),
      signal,
      log: (line) => io.stderr(`${line}\n`),
      ...(evaluate ? { evaluate } : {}),
    });
    (result.model as { dispose?: () => void }).dispose?.();
    if (result.stopped === 'non-finite-loss') return 1;
    return result.stopped === 'interrupted' ? 130 : 0;
  } catch (error) {
    if (error instanceof RcnnError) throw new CliError(`${COMMAND}: ${error.message}`, 1);
    throw error;
  } finally {
    remove();
  }
}

async function readConfigFile(io: CliIo, path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await io.readFile(path));
  } catch (error) {
    throw new CliError(`${COMMAND}: --config ${path}: ${(error as Error).message}`, 2);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`${COMMAND}: --config ${path} must hold a JSON object of settings`, 2);
  }
  const known = new Set(LOOP_FLAGS.map((flag) => flag));
  for (const key of Object.keys(parsed)) {
    if (!known.has(kebabCase(key)) && !known.has(key)) {
      throw new CliError(
        `${COMMAND}: --config ${path}: unknown key "${key}" (keys are the flag names: ${LOOP_FLAGS.join(', ')})`,
        2,
      );
    }
  }
  return parsed as Record<string, unknown>;
}
