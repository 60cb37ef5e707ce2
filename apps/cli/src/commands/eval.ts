import { CocoDataset, CocoEval, CocoFormatError, type IouType } from '@rcnn/coco-eval';
import { CliError, type CliIo, type CommandModule } from '../command';
import { mergeResults } from '../merge-results';
import { checkOutputs } from '../output-files';
import { type ParsedArguments, parseNumberList } from '../parse-arguments';

const COMMAND = 'rcnn eval';

/**
 * `rcnn eval --gt GT.json --dt RESULTS.json --iou-type bbox|segm|keypoints`: pycocotools'
 * COCOeval (loadRes, evaluate, accumulate, summarize) through @rcnn/coco-eval, printing
 * the standard summary lines; `--json OUT` also writes the stats in pycocotools' order.
 */
export const evalCommand: CommandModule = {
  name: 'eval',
  summary: 'COCO evaluation of a results file against ground truth, number for number as pycocotools.',
  usage:
    '--gt GT.json --dt RESULTS.json [--dt MORE.json ...] --iou-type bbox|segm|keypoints [--cat-ids 1,2] [--img-ids 3,4] [--json OUT]',
  options: {
    gt: { type: 'string', value: 'FILE', required: true, description: 'COCO ground-truth JSON' },
    dt: {
      type: 'string',
      value: 'FILE',
      required: true,
      multiple: true,
      description:
        'results JSON list, as COCO.loadRes accepts; several (shards of one run) are merged, each image from one file',
    },
    'iou-type': {
      type: 'string',
      value: 'TYPE',
      required: true,
      choices: ['bbox', 'segm', 'keypoints'],
      description: 'what to evaluate',
    },
    'cat-ids': {
      type: 'string',
      value: 'IDS',
      description: 'evaluate only these category ids (comma-separated)',
    },
    'img-ids': {
      type: 'string',
      value: 'IDS',
      description: 'evaluate only these image ids (comma-separated)',
    },
    'kpt-oks-sigmas': {
      type: 'string',
      value: 'S,S,...',
      description: "keypoints: one OKS sigma per keypoint (pycocotools' kpt_oks_sigmas; default COCO's 17)",
    },
    'max-dets': { type: 'string', value: 'N,N,N', description: 'detections kept per image and category' },
    json: { type: 'string', value: 'FILE', description: 'also write { "stats": [...], ... } to FILE' },
    verbose: { type: 'boolean', description: 'print timings to stderr' },
  },
  run: runEval,
};

async function runEval(args: ParsedArguments, io: CliIo): Promise<number> {
  const options = args.options as Record<string, string | undefined>;
  const iouType = options['iou-type'] as IouType;
  const catIds = idList(options['cat-ids'], 'cat-ids');
  const imgIds = idList(options['img-ids'], 'img-ids');
  const maxDets = maxDetsList(options['max-dets'], iouType);
  const sigmas = options['kpt-oks-sigmas'];
  const kptOksSigmas = sigmas === undefined ? undefined : parseNumberList(sigmas, 'kpt-oks-sigmas', COMMAND);
  if (kptOksSigmas?.some((sigma) => !(sigma > 0))) {
    throw new CliError(`${COMMAND}: --kpt-oks-sigmas must be positive numbers, got '${sigmas}'`, 2);
  }
  if (args.positionals.length > 0)
    throw new CliError(`${COMMAND}: unexpected argument '${args.positionals[0]}'`, 2);

  const dtFiles = args.lists.dt ?? [options.dt!];
  if (options.json) {
    await checkOutputs(
      [{ option: '--gt', path: options.gt! }, ...dtFiles.map((path) => ({ option: '--dt', path }))],
      [{ option: '--json', path: options.json }],
      COMMAND,
    );
  }
  const started = performance.now();
  const [gtJson, ...dtJsons] = await inArgumentOrder([
    readJson(io, options.gt!, '--gt'),
    ...dtFiles.map((path) => readJson(io, path, '--dt')),
  ]);
  const dtJson = mergeResults(dtFiles, dtJsons, COMMAND);
  const groundTruth = inputStep('ground truth', options.gt!, () => CocoDataset.fromJson(gtJson));
  const detections = inputStep('results', dtFiles.join(' + '), () => groundTruth.loadResults(dtJson));
  const loaded = performance.now();

  const evaluator = new CocoEval(groundTruth, detections, iouType);
  if (catIds) evaluator.params.catIds = catIds;
  if (imgIds) evaluator.params.imgIds = imgIds;
  if (maxDets) evaluator.params.maxDets = maxDets;
  if (kptOksSigmas) evaluator.params.kptOksSigmas = kptOksSigmas;
  inputStep('input', `${options.gt} + ${dtFiles.join(' + ')}`, () => evaluator.evaluate());
  const evaluated = performance.now();
  evaluator.accumulate();
  const accumulated = performance.now();
  const summary = inputStep('parameters', 'options', () => evaluator.summarize());
  io.stdout(`${summary.lines.join('\n')}\n`);

  const timings = {
    load: loaded - started,
    evaluate: evaluated - loaded,
    accumulate: accumulated - evaluated,
    summarize: performance.now() - accumulated,
  };
  if (options.verbose) {
    io.stderr(
      `${COMMAND}: load ${ms(timings.load)}, evaluate ${ms(timings.evaluate)}, accumulate ${ms(timings.accumulate)}\n`,
    );
  }
  if (options.json) {
    const params = evaluator.evaluatedParams!;
    const report = {
      stats: summary.stats,
      summary_lines: summary.lines,
      iou_type: iouType,
      cat_ids: params.catIds,
      num_images: params.imgIds.length,
      max_dets: params.maxDets,
      timings_ms: timings,
    };
    try {
      await io.writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    } catch (error) {
      throw new CliError(`${COMMAND}: cannot write --json file '${options.json}': ${messageOf(error)}`);
    }
  }
  return 0;
}

/** `--cat-ids`/`--img-ids`: comma-separated whole numbers (COCO ids). */
function idList(text: string | undefined, option: string): number[] | undefined {
  if (text === undefined) return undefined;
  const ids = parseNumberList(text, option, COMMAND);
  if (!ids.every(Number.isSafeInteger)) {
    throw new CliError(`${COMMAND}: --${option} must be whole numbers (COCO ids), got '${text}'`, 2);
  }
  return ids;
}

/**
 * `--max-dets`: positive whole numbers; bbox and segm summaries read the first three
 * (pycocotools' maxDets[0..2]), the keypoint summary reads 20.
 */
function maxDetsList(text: string | undefined, iouType: IouType): number[] | undefined {
  if (text === undefined) return undefined;
  const values = parseNumberList(text, 'max-dets', COMMAND);
  const fail = (expected: string): never => {
    throw new CliError(`${COMMAND}: --max-dets must be ${expected}, got '${text}'`, 2);
  };
  if (!values.every((value) => Number.isSafeInteger(value) && value > 0)) fail('positive whole numbers');
  if (iouType !== 'keypoints' && values.length < 3) {
    fail(
      `three numbers for ${iouType} (the summary reports at the first three, as pycocotools: default 1,10,100)`,
    );
  }
  if (iouType === 'keypoints' && !values.includes(20)) {
    fail('a list that includes 20 for keypoints (the keypoint summary reads maxDets=20, as pycocotools)');
  }
  return values;
}

/**
 * Awaits every read and reports the first failure in argument order, not the first to settle:
 * with two bad files the message must not depend on which read the disk finished first.
 */
async function inArgumentOrder<T>(reads: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

async function readJson(io: CliIo, path: string, option: string): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw new CliError(`${COMMAND}: cannot read ${option} file '${path}': ${messageOf(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${COMMAND}: ${option} file '${path}' is not valid JSON: ${messageOf(error)}`);
  }
}

/** Runs a step on user input, turning malformed-input errors into a CliError naming the file. */
function inputStep<T>(what: string, file: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof CocoFormatError)
      throw new CliError(`${COMMAND}: invalid ${what} (${file}): ${error.message}`);
    throw error;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}
