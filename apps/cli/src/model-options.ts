import type { CreateDetectorOptions } from '@rcnn/models';
import { CliError } from './command';
import { MODEL_FLAGS, type ModelFlag, type ValueKind } from './model-flags';
import type { OptionSpecs } from './parse-arguments';

const PLACEHOLDERS: Record<ValueKind, string> = {
  count: 'N',
  'non-negative-int': 'N',
  layers: 'N',
  fraction: 'X',
  sizes: 'N[,N...]',
  triple: 'R,G,B',
  'height-width': 'H,W',
  'box-weights': 'WX,WY,WW,WH',
  'norm-layer': 'NAME',
  'level-sizes': 'N,N,N,N,N',
  ratios: 'X[,X...]',
};

const NORM_LAYERS = ['frozen-bn', 'bn', 'gn'] as const;

function specsOf(flags: readonly ModelFlag[]): OptionSpecs {
  return Object.fromEntries(
    flags.map((entry) => [
      entry.flag,
      { type: 'string' as const, value: PLACEHOLDERS[entry.kind], description: entry.description },
    ]),
  );
}

/** The model flags as option declarations for a command (help text and parsing). */
export const MODEL_OPTION_SPECS: OptionSpecs = specsOf(MODEL_FLAGS);

function numbers(text: string, flag: string, command: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const values = parts.map(Number);
  if (parts.some((part) => part === '') || values.some((value) => !Number.isFinite(value))) {
    throw new CliError(`${command}: --${flag} must be a number or comma-separated numbers, got '${text}'`, 2);
  }
  return values;
}

/** Parses one flag's text; a CliError (exit 2) naming the flag and what it expects otherwise. */
function parseValue(kind: ValueKind, text: string, flag: string, command: string): unknown {
  if (kind === 'norm-layer') {
    if ((NORM_LAYERS as readonly string[]).includes(text)) return text;
    throw new CliError(`${command}: --${flag} must be one of ${NORM_LAYERS.join(', ')}, got '${text}'`, 2);
  }
  const values = numbers(text, flag, command);
  const fail = (expected: string): never => {
    throw new CliError(`${command}: --${flag} must be ${expected}, got '${text}'`, 2);
  };
  const single = (): number => (values.length === 1 ? values[0]! : fail('a single number'));
  const isCount = (value: number) => Number.isInteger(value) && value > 0;
  switch (kind) {
    case 'count':
      return isCount(single()) ? values[0] : fail('a positive integer');
    case 'non-negative-int':
      return Number.isInteger(single()) && values[0]! >= 0 ? values[0] : fail('a non-negative integer');
    case 'layers':
      return Number.isInteger(single()) && values[0]! >= 0 && values[0]! <= 5
        ? values[0]
        : fail('an integer from 0 to 5');
    case 'fraction':
      return single() >= 0 && values[0]! <= 1 ? values[0] : fail('a number from 0 to 1');
    case 'sizes':
      if (!values.every(isCount)) fail('positive integers');
      return values.length === 1 ? values[0] : values;
    case 'triple':
      return values.length === 3 ? values : fail('three comma-separated numbers');
    case 'height-width':
      return values.length === 2 && values.every(isCount) ? values : fail('HEIGHT,WIDTH in pixels');
    case 'level-sizes':
      return values.length === 5 && values.every(isCount)
        ? values
        : fail('five positive integers, one per FPN level p2..p6');
    case 'ratios':
      return values.every((value) => value > 0) ? values : fail('positive numbers');
    case 'box-weights':
      return values.length === 4 && values.every((value) => value > 0)
        ? values
        : fail('four positive comma-separated numbers');
    default: {
      const unknown: never = kind;
      throw new Error(`unhandled value kind ${String(unknown)}`);
    }
  }
}

/**
 * The preset options given on the command line (only those given: the preset keeps
 * torchvision's defaults for the rest).
 * @throws CliError exit code 2 for a malformed value
 */
export function parseModelOptions(
  values: Readonly<Record<string, string | boolean | undefined>>,
  command: string,
): CreateDetectorOptions {
  const options: Record<string, unknown> = {};
  for (const entry of MODEL_FLAGS) {
    const text = values[entry.flag];
    if (typeof text !== 'string') continue;
    const value = parseValue(entry.kind, text, entry.flag, command);
    const { max } = entry;
    if (max && [value].flat().some((number) => (number as number) > max.value)) {
      throw new CliError(
        `${command}: --${entry.flag} must be at most ${max.value} ${max.why}, got '${text}'`,
        2,
      );
    }
    options[entry.key] = value;
  }
  return options as CreateDetectorOptions;
}
