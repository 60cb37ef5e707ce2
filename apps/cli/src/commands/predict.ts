import { basename, dirname, extname, join } from 'node:path';
import { encodePng, type RgbImage } from '@rcnn/core';
import { labelNamesOf } from '@rcnn/models';
import { COCO_PERSON_SKELETON, drawInstances } from '@rcnn/postprocess';
import {
  activateBackend,
  nativeKernelsSummary,
  parseThreads,
  THREADS_OPTION_SPECS,
} from '../activate-backend';
import { categoryIdMapper, jsonOutputsOf, resultsJson } from '../coco-results';
import { CliError, type CliIo, type CommandModule } from '../command';
import { DATASET_OPTION_SPECS, resolveImageSource } from '../dataset-images';
import { BACKEND_AND_MODEL_OPTION_SPECS, DETECTOR_OPTION_SPECS, describeDetector } from '../detector-options';
import { detectorRequest, type LoadedDetector, loadDetector, usingDetector } from '../load-detector';
import { checkOutputs, type NamedPath, removeEarlierOutputs, StagedOutputs } from '../output-files';
import type { ParsedArguments } from '../parse-arguments';
import { type PlainDetection, toDetectedInstance } from '../plain-detections';
import { checkImages, describeFailure, type ImageFailure, resizeProblem } from '../predict-inputs';
import { createProgress } from '../progress';
import { shown } from '../terminal-text';
import { predictImages } from './predict-batch';
import type { ImageResult } from './predict-json';

const COMMAND = 'rcnn predict';

/**
 * `rcnn predict --arch NAME --weights FILE --image FILE [--image FILE ...] --out-json FILE
 * [--out-image FILE]`: detections per image as JSON (boxes in original pixels, masks as COCO RLE,
 * keypoints), optionally drawn onto the images as PNGs; or over a dataset (`--images DIR`,
 * `--coco-gt`, `--shard`) in COCO results format (`--coco-results`).
 */
export const predictCommand: CommandModule = {
  name: 'predict',
  summary: 'Detect objects in images; write JSON (boxes, RLE masks, keypoints) and optionally drawn PNGs.',
  usage:
    '[--weights FILE|deterministic] [--arch NAME] --image FILE [--image FILE ...] --out-json FILE [--out-image FILE ...] [model options]\n' +
    '       rcnn predict [--weights FILE] [--arch NAME] [--coco-gt instances.json] --images DIR [--shard I/N] --coco-results FILE [model options]',
  options: {
    ...DETECTOR_OPTION_SPECS,
    image: {
      type: 'string',
      value: 'FILE',
      multiple: true,
      description: 'PNG or JPEG to detect in; images run one at a time (or --images DIR)',
    },
    'out-json': {
      type: 'string',
      value: 'FILE',
      description: 'write [{ image, width, height, instances: [{ box, score, label, mask?, keypoints? }] }]',
    },
    ...DATASET_OPTION_SPECS,
    'out-image': {
      type: 'string',
      value: 'FILE',
      multiple: true,
      description:
        'draw the detections into a PNG: one per --image, or one name for several images, written as NAME-1.png, NAME-2.png, ...',
    },
    'draw-score-thresh': {
      type: 'string',
      value: 'X',
      description:
        'drawn PNGs show the instances scoring at least X (default 0.5; 0 with --weights deterministic); the JSON keeps every detection',
    },
    'keep-going': {
      type: 'boolean',
      description:
        'when some images fail, still write the others (and exit 3); by default a failure writes nothing',
    },
    quiet: { type: 'boolean', description: 'no progress on stderr (failures are still reported)' },
    verbose: {
      type: 'boolean',
      description: "also print each image's stage times and which kernels run (native or wasm) on stderr",
    },
    ...THREADS_OPTION_SPECS,
    ...BACKEND_AND_MODEL_OPTION_SPECS,
  },
  run: runPredict,
};

/** Where each image's drawing goes: none, one per image, or `<stem>-<n><ext>` from one name. */
export function outImagePaths(
  images: readonly string[],
  outImages: readonly string[],
): (string | undefined)[] {
  if (outImages.length === 0) return images.map(() => undefined);
  if (outImages.length === images.length) return [...outImages];
  if (outImages.length === 1) {
    const [path] = outImages as [string];
    const extension = extname(path) || '.png';
    const stem = basename(path, extname(path));
    return images.map((_, i) => join(dirname(path), `${stem}-${i + 1}${extension}`));
  }
  throw new CliError(
    `${COMMAND}: give one --out-image per --image (${images.length}) or a single one, got ${outImages.length}`,
    2,
  );
}

/** The detections drawn onto `image`, as PNG bytes. */
function drawing(
  image: RgbImage,
  detections: readonly PlainDetection[],
  loaded: LoadedDetector,
  scoreThreshold: number,
): Uint8Array {
  const names = namesOf(loaded);
  const instances = detections.map((detection) => toDetectedInstance(detection, names));
  const keypointCount = instances[0]?.keypoints?.length ?? 0;
  const rgba = drawInstances(image, instances, {
    scoreThreshold,
    ...(keypointCount === COCO_PERSON_SKELETON_KEYPOINTS ? { skeleton: COCO_PERSON_SKELETON } : {}),
    ...(names ? { categoryNames: names } : {}),
  });
  return encodePng(rgba, image.width, image.height);
}

const COCO_PERSON_SKELETON_KEYPOINTS = 17;

/** What a drawing shows: confident detections only, as torchvision's demos draw them. */
const DEFAULT_DRAW_SCORE_THRESH = 0.5;

/** `--draw-score-thresh`, checked before anything runs; undefined when not given. */
function parseDrawScoreThreshold(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) {
    throw new CliError(`${COMMAND}: --draw-score-thresh must be a number from 0 to 1, got '${text}'`, 2);
  }
  return value;
}

function namesOf(loaded: LoadedDetector): readonly string[] | undefined {
  return labelNamesOf(loaded.record, loaded.architecture, loaded.model.roiHeads.box.predictor.numClasses);
}

async function runPredict(args: ParsedArguments, io: CliIo): Promise<number> {
  const options = args.options as Record<string, string | boolean | undefined>;
  if (args.positionals.length > 0) {
    throw new CliError(
      `${COMMAND}: unexpected argument '${shown(args.positionals[0]!)}' (images go after --image)`,
      2,
    );
  }
  const request = detectorRequest(options, COMMAND);
  const threads = parseThreads(options.threads as string | undefined, COMMAND);
  const drawThresholdGiven = parseDrawScoreThreshold(options['draw-score-thresh'] as string | undefined);
  const source = await resolveImageSource(io, options, args.lists.image ?? [], COMMAND);
  const images = source.paths;
  const drawings = outImagePaths(images, args.lists['out-image'] ?? []);
  const jsonOutputs = jsonOutputsOf(options, COMMAND);
  const outputs = [
    ...jsonOutputs,
    ...drawings.flatMap((path) => (path ? [{ option: '--out-image', path }] : [])),
  ];
  const gt =
    typeof options['coco-gt'] === 'string' ? [{ option: '--coco-gt', path: options['coco-gt'] }] : [];
  await checkOutputs([...images.map((path) => ({ option: '--image', path })), ...gt], outputs, COMMAND);
  if (!options.quiet && options.shard) {
    io.stderr(`${COMMAND}: shard ${options.shard}: ${images.length} of ${source.total} images\n`);
  }
  if (images.length === 0) {
    // More shards than images: this one has none, and says so with an empty results list.
    for (const output of jsonOutputs) await io.writeFile(output.path, '[]\n');
    return 0;
  }
  const keepGoing = options['keep-going'] === true;
  const failures: ImageFailure[] = [];
  const report = (found: readonly ImageFailure[]) => {
    for (const failure of found) io.stderr(`${describeFailure(COMMAND, failure)}\n`);
    failures.push(...found);
  };
  const checked = await checkImages(io, images);
  report(checked.failures);
  const staged = new StagedOutputs(COMMAND);
  if (failures.length > 0 && (!keepGoing || failures.length === images.length)) {
    return giveUp(io, failures, images.length, outputs, keepGoing);
  }

  const backend = await activateBackend(options.backend as string | undefined, threads);
  const loaded = await loadDetector(io, request, COMMAND);
  return usingDetector(loaded, async () => {
    if (!options.quiet) describeDetector(io, COMMAND, loaded, backend);
    const drawThreshold = drawThresholdGiven ?? (loaded.deterministic ? 0 : DEFAULT_DRAW_SCORE_THRESH);
    const numClasses = loaded.model.roiHeads.box.predictor.numClasses;
    const categoryIdOf = categoryIdMapper(numClasses, source.labelMap, COMMAND, loaded.record?.categoryIds);
    if (options.verbose && !options.quiet) io.stderr(`${COMMAND}: ${nativeKernelsSummary()}\n`);
    report(
      checked.headers.flatMap((header, index) => {
        const reason = header && resizeProblem(loaded.model, header);
        return reason ? [{ index, path: images[index]!, reason }] : [];
      }),
    );
    if (failures.length > 0 && (!keepGoing || failures.length === images.length)) {
      return giveUp(io, failures, images.length, outputs, keepGoing);
    }
    const progress = createProgress(io.stderr, {
      tty: io.stderrIsTty === true,
      quiet: options.quiet === true,
      total: images.length,
    });
    let batch: { results: ImageResult[]; indices: number[]; failures: ImageFailure[] };
    try {
      batch = await predictImages({
        command: COMMAND,
        io,
        loaded,
        images,
        skip: new Set(failures.map((failure) => failure.index)),
        drawings,
        staged,
        progress,
        keepGoing,
        names: namesOf(loaded),
        verbose: options.verbose === true && options.quiet !== true,
        summaryScoreThreshold: drawThreshold,
        draw: (image, detections) => drawing(image, detections, loaded, drawThreshold),
      });
      failures.push(...batch.failures);
      if (batch.results.length === 0 || (failures.length > 0 && !keepGoing)) {
        await staged.discard();
        return await giveUp(io, failures, images.length, outputs, keepGoing);
      }
      for (const output of jsonOutputs) {
        await staged.stage(output, resultsJson(output, batch, source.imageIds, categoryIdOf));
      }
      await staged.commit();
    } catch (error) {
      await staged.discard();
      throw error;
    }
    if (failures.length === 0) return 0;
    const failed = new Set(failures.map((failure) => failure.index));
    const stale = drawings.filter((path, index): path is string => path !== undefined && failed.has(index));
    await reportRemoved(io, stale);
    io.stderr(
      `${COMMAND}: ${failures.length} of ${images.length} images failed; wrote ${jsonOutputs.map((output) => shown(output.path)).join(' and ')} with the other ${batch.results.length} (exit code 3)\n`,
    );
    return 3;
  });
}

/** Removes outputs an earlier run left at `paths`, saying so; `kept` ones are named too. */
async function reportRemoved(io: CliIo, paths: readonly string[]): Promise<void> {
  const { removed, kept } = await removeEarlierOutputs(paths);
  if (removed.length > 0) {
    io.stderr(
      `${COMMAND}: removed ${removed.map((path) => shown(path)).join(', ')} from an earlier run, so that it is not taken for this run's result\n`,
    );
  }
  if (kept.length > 0) {
    io.stderr(
      `${COMMAND}: warning: ${kept.map((path) => shown(path)).join(', ')} from an earlier run could not be removed and is not this run's result\n`,
    );
  }
}

/** The run writes nothing: says why, removes what an earlier run left at the outputs. @returns 1 */
async function giveUp(
  io: CliIo,
  failures: readonly ImageFailure[],
  total: number,
  outputs: readonly NamedPath[],
  keepGoing: boolean,
): Promise<number> {
  await reportRemoved(
    io,
    outputs.map((output) => output.path),
  );
  const hint = keepGoing ? '' : ' (--keep-going writes the others)';
  io.stderr(`${COMMAND}: ${failures.length} of ${total} images failed; no output written${hint}\n`);
  return 1;
}
