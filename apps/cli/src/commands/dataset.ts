import { writeSyntheticDataset } from '@rcnn/synth-data/node';
import { CliError, type CliIo, type CommandModule } from '../command';
import type { OptionSpecs, ParsedArguments } from '../parse-arguments';

const COMMAND = 'rcnn dataset';

/** Integer options of `rcnn dataset synth` -> the generator option they set. */
const INTEGER_OPTIONS = {
  seed: 'seed',
  count: 'count',
  'min-size': 'minImageSize',
  'max-size': 'maxImageSize',
  'min-objects': 'minObjects',
  'max-objects': 'maxObjects',
  'min-object-size': 'minObjectSize',
  'min-visible-area': 'minVisibleArea',
  'max-clutter': 'maxClutter',
  'first-image-id': 'firstImageId',
} as const;

const options: OptionSpecs = {
  seed: { type: 'string', value: 'S', required: true, description: 'random seed (non-negative integer)' },
  count: { type: 'string', value: 'N', required: true, description: 'number of images' },
  out: {
    type: 'string',
    value: 'DIR',
    required: true,
    description: 'output directory: DIR/images/*.png and DIR/instances.json',
  },
  split: {
    type: 'string',
    value: 'SPLIT',
    choices: ['train', 'val'],
    description: 'which split (they use unrelated random streams; default train)',
  },
  'min-size': { type: 'string', value: 'PX', description: 'smallest image side (default 192)' },
  'max-size': { type: 'string', value: 'PX', description: 'largest image side (default 320)' },
  'min-objects': { type: 'string', value: 'N', description: 'fewest objects tried per image (default 1)' },
  'max-objects': { type: 'string', value: 'N', description: 'most objects tried per image (default 8)' },
  'min-object-size': { type: 'string', value: 'PX', description: 'smallest object diameter (default 12)' },
  'max-object-fraction': {
    type: 'string',
    value: 'F',
    description: 'largest object diameter / shorter image side (default 0.9)',
  },
  'min-visible-area': {
    type: 'string',
    value: 'PX',
    description: 'fewest visible pixels of a kept object (default 36)',
  },
  'min-visible-fraction': {
    type: 'string',
    value: 'F',
    description: 'smallest visible fraction of a kept object (default 0.35)',
  },
  'max-clutter': {
    type: 'string',
    value: 'N',
    description: 'most background clutter pieces per image (default 6)',
  },
  'first-image-id': { type: 'string', value: 'ID', description: 'id of the first image (default 1)' },
};

/**
 * `rcnn dataset synth --seed S --count N --out DIR`: writes a seeded synthetic COCO instance
 * dataset (@rcnn/synth-data: six shape classes with exact visible-pixel masks, star keypoints)
 * and prints what it wrote, per category, and how fast.
 */
export const datasetCommand: CommandModule = {
  name: 'dataset',
  summary:
    'Generate a seeded synthetic COCO instance dataset (shapes, masks, keypoints) for training and tests.',
  usage: 'synth --seed S --count N --out DIR [--split train|val] [--min-size PX] [--max-size PX] [...]',
  options,
  run: runDataset,
};

async function runDataset(args: ParsedArguments, io: CliIo): Promise<number> {
  const [subcommand, ...extra] = args.positionals;
  if (subcommand !== 'synth') {
    throw new CliError(
      subcommand === undefined
        ? `${COMMAND}: missing subcommand (the one there is: synth)`
        : `${COMMAND}: unknown subcommand '${subcommand}' (the one there is: synth)`,
      2,
    );
  }
  if (extra.length > 0) throw new CliError(`${COMMAND}: unexpected argument '${extra[0]}'`, 2);
  const values = args.options as Record<string, string | undefined>;
  const generator: Record<string, number | string> = {};
  for (const [flag, key] of Object.entries(INTEGER_OPTIONS)) {
    const text = values[flag];
    if (text === undefined) continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
      throw new CliError(`${COMMAND}: --${flag} must be a non-negative integer, got '${text}'`, 2);
    }
    generator[key] = value;
  }
  for (const [flag, key] of [
    ['max-object-fraction', 'maxObjectFraction'],
    ['min-visible-fraction', 'minVisibleFraction'],
  ] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new CliError(`${COMMAND}: --${flag} must be a number, got '${text}'`, 2);
    }
    generator[key] = value;
  }
  if (values.split) generator.split = values.split;
  const out = values.out as string;
  const summary = await writeSyntheticDataset(
    out,
    generator as unknown as Parameters<typeof writeSyntheticDataset>[1],
  );
  const perCategory = Object.entries(summary.perCategory)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const rate = summary.seconds > 0 ? summary.images / summary.seconds : 0;
  io.stdout(
    `wrote ${summary.images} images and ${summary.annotations} instances (${perCategory}) to ${summary.annotationFile} ` +
      `and ${summary.imageDirectory}/ in ${summary.seconds.toFixed(1)} s (${rate.toFixed(0)} images/s, ` +
      `${(summary.imageBytes / 1048576).toFixed(1)} MiB of PNG)\n`,
  );
  return 0;
}
