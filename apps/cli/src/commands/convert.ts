import { RcnnError, writeSafetensors } from '@rcnn/core';
import { modelRecordMetadata } from '@rcnn/models';
import { activateBackend } from '../activate-backend';
import { CliError, type CliIo, type CommandModule } from '../command';
import { convertedModelRecord, parseCategoryNames } from '../converted-model-record';
import { BACKEND_AND_MODEL_OPTION_SPECS, DETECTOR_OPTION_SPECS } from '../detector-options';
import { DETERMINISTIC_WEIGHTS, detectorRequest, loadDetector, usingDetector } from '../load-detector';
import { checkOutputs } from '../output-files';
import type { ParsedArguments } from '../parse-arguments';

const COMMAND = 'rcnn convert';
const DTYPES = ['float32', 'float16'] as const;

/**
 * `rcnn convert [--arch NAME] --weights IN --out OUT.safetensors [--dtype float16]`: loads a
 * checkpoint into the detector (strictly: every entry checked by name and shape, mismatches
 * listed) and saves what the detector holds as safetensors with torchvision's names and
 * layouts, with a model record (`rcnn.model`: architecture, options, class names) so that
 * predict needs no flags.
 */
export const convertCommand: CommandModule = {
  name: 'convert',
  summary:
    'Check a checkpoint against an architecture; save it as .safetensors (float32 or float16) with a model record.',
  usage:
    '[--arch NAME] --weights IN.pth|IN.safetensors|deterministic --out OUT.safetensors [--dtype float16] [--category-names A,B,...] [model options]',
  options: {
    ...DETECTOR_OPTION_SPECS,
    weights: {
      type: 'string',
      value: 'FILE',
      required: true,
      description: `the checkpoint to convert: a torchvision .pth or .safetensors (an rcnn train checkpoint too), or '${DETERMINISTIC_WEIGHTS}'`,
    },
    out: { type: 'string', value: 'FILE', required: true, description: 'the .safetensors file to write' },
    dtype: {
      type: 'string',
      value: 'TYPE',
      choices: DTYPES,
      description:
        'float32 (default, exact) or float16 (half the size; rounded to nearest even, refused if a weight overflows)',
    },
    'category-names': {
      type: 'string',
      value: 'A,B,...',
      description:
        "class names for the model record, background excluded (default: the input's record, an rcnn train checkpoint's dataset, or COCO's)",
    },
    ...BACKEND_AND_MODEL_OPTION_SPECS,
  },
  run: runConvert,
};

async function runConvert(args: ParsedArguments, io: CliIo): Promise<number> {
  const options = args.options as Record<string, string | boolean | undefined>;
  if (args.positionals.length > 0)
    throw new CliError(`${COMMAND}: unexpected argument '${args.positionals[0]}'`, 2);
  const request = detectorRequest(options, COMMAND);
  const categoryNames = parseCategoryNames(options['category-names'] as string | undefined, COMMAND);
  const floatDtype = (options.dtype as (typeof DTYPES)[number] | undefined) ?? 'float32';
  const out = options.out as string;
  const weights = request.weights;
  await checkOutputs(
    weights === DETERMINISTIC_WEIGHTS ? [] : [{ option: '--weights', path: weights }],
    [{ option: '--out', path: out }],
    COMMAND,
  );
  await activateBackend(options.backend as string | undefined);
  // A strict load: a checkpoint that does not fit throws with its missing/unexpected/mis-shaped report.
  const loaded = await loadDetector(io, request, COMMAND);
  const { architecture } = loaded;
  return usingDetector(loaded, async () => {
    const stateDict = await loaded.model.saveStateDict();
    const { record, note } = convertedModelRecord(
      {
        architecture,
        // Without a record, only the flags given (not the deterministic weights' display defaults).
        options: loaded.record ? loaded.options : request.options,
        record: loaded.record,
        metadata: loaded.metadata,
        stateDict,
        categoryNames,
      },
      COMMAND,
    );
    let bytes: Uint8Array;
    try {
      const metadata = { architecture, format: 'pt', ...modelRecordMetadata(record) };
      bytes = writeSafetensors(stateDict, metadata, { floatDtype });
    } catch (error) {
      if (error instanceof RcnnError) throw new CliError(`${COMMAND}: ${error.message}`, 1);
      throw error;
    }
    try {
      await io.writeBytes(out, bytes);
    } catch (error) {
      throw new CliError(`${COMMAND}: cannot write --out ${out}: ${(error as Error).message}`, 1);
    }
    if (note) io.stderr(`${COMMAND}: note: ${note}\n`);
    io.stderr(
      `${COMMAND}: ${architecture}: all ${stateDict.size} entries matched; wrote ${out} (${floatDtype}, ${(bytes.length / 1e6).toFixed(1)} MB; model record: ${record.categoryNames.length} classes: ${record.categoryNames.join(', ')})\n`,
    );
    return 0;
  });
}
