import { writeSafetensors } from '@rcnn/core';
import { activateBackend } from '../activate-backend';
import { CliError, type CliIo, type CommandModule } from '../command';
import { BACKEND_OPTION_SPECS, DETECTOR_OPTION_SPECS } from '../detector-options';
import { architectureFrom, DETERMINISTIC_WEIGHTS, loadDetector, usingDetector } from '../load-detector';
import { parseModelOptions, WEIGHT_SHAPE_OPTION_SPECS } from '../model-options';
import { checkOutputs } from '../output-files';
import type { ParsedArguments } from '../parse-arguments';

const COMMAND = 'rcnn convert';

/**
 * `rcnn convert --arch NAME --weights IN.pth --out OUT.safetensors`: loads a checkpoint into the
 * detector (strictly: every entry checked by name and shape, mismatches listed) and saves what
 * the detector holds as safetensors with torchvision's names and layouts.
 */
export const convertCommand: CommandModule = {
  name: 'convert',
  summary: 'Check a torchvision checkpoint against an architecture and save it as .safetensors.',
  usage:
    '--arch NAME --weights IN.pth|IN.safetensors|deterministic --out OUT.safetensors [--num-classes N] [--num-keypoints N]',
  options: {
    ...DETECTOR_OPTION_SPECS,
    out: { type: 'string', value: 'FILE', required: true, description: 'the .safetensors file to write' },
    ...BACKEND_OPTION_SPECS,
    ...WEIGHT_SHAPE_OPTION_SPECS,
  },
  run: runConvert,
};

async function runConvert(args: ParsedArguments, io: CliIo): Promise<number> {
  const options = args.options as Record<string, string | boolean | undefined>;
  if (args.positionals.length > 0)
    throw new CliError(`${COMMAND}: unexpected argument '${args.positionals[0]}'`, 2);
  const architecture = architectureFrom(options.arch as string, COMMAND);
  const modelOptions = parseModelOptions(options, COMMAND);
  const out = options.out as string;
  const weights = options.weights as string;
  await checkOutputs(
    weights === DETERMINISTIC_WEIGHTS ? [] : [{ option: '--weights', path: weights }],
    [{ option: '--out', path: out }],
    COMMAND,
  );
  await activateBackend(options.backend as string | undefined);
  // A strict load: a checkpoint that does not fit throws with its missing/unexpected/mis-shaped report.
  const loaded = await loadDetector(io, architecture, options.weights as string, modelOptions, COMMAND);
  return usingDetector(loaded, async () => {
    const stateDict = await loaded.model.saveStateDict();
    const bytes = writeSafetensors(stateDict, { architecture, format: 'pt' });
    try {
      await io.writeBytes(out, bytes);
    } catch (error) {
      throw new CliError(`${COMMAND}: cannot write --out ${out}: ${(error as Error).message}`, 1);
    }
    io.stderr(
      `${COMMAND}: ${architecture}: all ${stateDict.size} entries matched; wrote ${out} (${(bytes.length / 1e6).toFixed(1)} MB)\n`,
    );
    return 0;
  });
}
