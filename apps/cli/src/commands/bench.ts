import {
  activateBackend,
  nativeKernelsSummary,
  parseThreads,
  THREADS_OPTION_SPECS,
} from '../activate-backend';
import { BENCH_STAGES, benchmarkPredict } from '../benchmark-predict';
import { CliError, type CliIo, type CommandModule } from '../command';
import { BACKEND_AND_MODEL_OPTION_SPECS, DETECTOR_OPTION_SPECS, describeDetector } from '../detector-options';
import { detectorRequest, loadDetector, usingDetector } from '../load-detector';
import { checkOutputs } from '../output-files';
import type { ParsedArguments } from '../parse-arguments';
import { resizeProblem } from '../predict-inputs';
import { imageTensor, readImage } from '../read-image';
import { shown } from '../terminal-text';

const COMMAND = 'rcnn bench';

/**
 * `rcnn bench --arch NAME --weights FILE --image FILE [--runs N] [--warmup N] [--backend B]
 * [--threads N] [--json OUT]`: times `predict` on one image in this process after a warm-up, per stage.
 */
export const benchCommand: CommandModule = {
  name: 'bench',
  summary:
    'Time predict on one image after a warm-up: median total and per stage (transform .. postprocess).',
  usage:
    '[--weights FILE|deterministic] [--arch NAME] --image FILE [--runs N] [--warmup N] [--backend wasm|cpu|webgpu] [--threads N] [--json OUT] [model options]',
  options: {
    ...DETECTOR_OPTION_SPECS,
    image: { type: 'string', value: 'FILE', required: true, description: 'PNG or JPEG to run on' },
    runs: { type: 'string', value: 'N', description: 'timed runs (default 3); the median is reported' },
    warmup: { type: 'string', value: 'N', description: 'untimed runs first (default 1)' },
    json: {
      type: 'string',
      value: 'FILE',
      description:
        'write { backend, runs, median_ms, stages_ms: { transform, backbone, rpn, roi_heads, postprocess }, ... }',
    },
    quiet: { type: 'boolean', description: 'no progress lines on stderr' },
    ...THREADS_OPTION_SPECS,
    ...BACKEND_AND_MODEL_OPTION_SPECS,
  },
  run: runBench,
};

function countOption(text: string | undefined, name: string, fallback: number, minimum: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    throw new CliError(`${COMMAND}: --${name} must be an integer >= ${minimum}, got '${text}'`, 2);
  }
  return value;
}

async function runBench(args: ParsedArguments, io: CliIo): Promise<number> {
  const options = args.options as Record<string, string | boolean | undefined>;
  if (args.positionals.length > 0)
    throw new CliError(`${COMMAND}: unexpected argument '${args.positionals[0]}'`, 2);
  const request = detectorRequest(options, COMMAND);
  const runs = countOption(options.runs as string | undefined, 'runs', 3, 1);
  const warmup = countOption(options.warmup as string | undefined, 'warmup', 1, 0);
  const threads = parseThreads(options.threads as string | undefined, COMMAND);
  const imagePath = options.image as string;
  const progress = options.quiet ? () => {} : (text: string) => io.stderr(text);

  if (typeof options.json === 'string') {
    await checkOutputs(
      [{ option: '--image', path: imagePath }],
      [{ option: '--json', path: options.json }],
      COMMAND,
    );
  }
  const image = await readImage(io, imagePath, COMMAND);
  const backend = await activateBackend(options.backend as string | undefined, threads);
  const kernels = nativeKernelsSummary();
  const loaded = await loadDetector(io, request, COMMAND);
  const { architecture } = loaded;
  const input = imageTensor(image);
  return usingDetector(loaded, async () => {
    try {
      const thin = resizeProblem(loaded.model, image);
      if (thin) throw new CliError(`${COMMAND}: --image ${shown(imagePath)}: ${thin}`, 1);
      if (!options.quiet) {
        describeDetector(io, COMMAND, loaded, backend);
        io.stderr(`${COMMAND}: ${kernels}\n`);
      }
      const result = await benchmarkPredict(loaded.model, input, {
        runs,
        warmup,
        onRun: (kind, index, milliseconds) =>
          progress(
            `${kind} ${index + 1}/${kind === 'run' ? runs : warmup}: ${(milliseconds / 1000).toFixed(2)} s\n`,
          ),
      });
      const report = {
        backend,
        kernels,
        runs,
        median_ms: result.medianMs,
        stages_ms: result.stagesMs,
        arch: architecture,
        weights: loaded.deterministic ? 'deterministic' : request.weights,
        image: imagePath,
        width: image.width,
        height: image.height,
        instances: result.instances,
        warmup,
        runs_ms: result.runsMs,
        warmup_ms: result.warmupMs,
        load_ms: loaded.loadMs,
        node: process.version,
      };
      const rows = BENCH_STAGES.map(
        ([, key]) => `  ${key.padEnd(12)} ${result.stagesMs[key]!.toFixed(1).padStart(10)} ms`,
      );
      io.stdout(
        [
          `${architecture} on ${backend}, ${image.width}x${image.height}, ${result.instances} instances: median of ${runs} runs ${result.medianMs.toFixed(1)} ms`,
          ...rows,
          '',
        ].join('\n'),
      );
      if (typeof options.json === 'string') {
        try {
          await io.writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
        } catch (error) {
          throw new CliError(
            `${COMMAND}: cannot write --json ${options.json}: ${(error as Error).message}`,
            1,
          );
        }
      }
      return 0;
    } finally {
      input.dispose();
    }
  });
}
