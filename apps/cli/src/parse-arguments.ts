import { CliError } from './command';
import { didYouMean } from './suggest';

/** Declares one `--name` option: a string value or a boolean flag. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder in help, e.g. `FILE`. */
  value?: string;
  required?: boolean;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** A string option that may be given several times; every value lands in `lists`. */
  multiple?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface ParsedArguments {
  /** The value of each option given (the last one for a `multiple` option). */
  options: Record<string, string | boolean | undefined>;
  /** Every value of each `multiple` option, in order (absent when not given). */
  lists: Record<string, string[]>;
  positionals: string[];
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` against `specs`;
 * `--` ends the options; a repeated option keeps its last value (all of them in `lists` when
 * it is `multiple`). Unknown options, missing values, bad choices and missing required
 * options are CliErrors (exit code 2) naming the option.
 */
export function parseArguments(
  argv: readonly string[],
  specs: OptionSpecs,
  command: string,
): ParsedArguments {
  const options: ParsedArguments['options'] = {};
  const lists: ParsedArguments['lists'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!argument.startsWith('--') || argument === '--') {
      if (argument.startsWith('-') && argument.length > 1 && !/^-[\d.]/.test(argument)) {
        const hint = didYouMean(argument.replace(/^-+/, ''), Object.keys(specs), '--');
        throw new CliError(`${command}: unknown option ${argument} (options are --long only)${hint}`, 2);
      }
      positionals.push(argument);
      continue;
    }
    const equals = argument.indexOf('=');
    const name = argument.slice(2, equals === -1 ? undefined : equals);
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) {
      throw new CliError(
        `${command}: unknown option --${name}${didYouMean(name, Object.keys(specs), '--')}`,
        2,
      );
    }
    if (spec.type === 'boolean') {
      if (equals !== -1) throw new CliError(`${command}: --${name} takes no value`, 2);
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (equals !== -1) value = argument.slice(equals + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined || value === '') throw new CliError(`${command}: --${name} needs a value`, 2);
    if (spec.choices && !spec.choices.includes(value)) {
      throw new CliError(
        `${command}: --${name} must be one of ${spec.choices.join(', ')}, got '${value}'`,
        2,
      );
    }
    if (spec.multiple) (lists[name] ??= []).push(value);
    options[name] = value;
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && options[name] === undefined) {
      throw new CliError(`${command}: missing --${name}`, 2);
    }
  }
  return { options, lists, positionals };
}

/** The options block of a command's help text. */
export function formatOptions(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    const notes = [
      spec.required ? 'required' : '',
      spec.multiple ? 'repeatable' : '',
      spec.choices ? `one of ${spec.choices.join('|')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return [left, `${spec.description}${notes ? ` (${notes})` : ''}`];
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

/** Parses `1,2,3` into numbers; a CliError naming the option on anything else. */
export function parseNumberList(text: string, option: string, command: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const numbers = parts.map(Number);
  if (parts.some((part) => part === '') || numbers.some((n) => !Number.isFinite(n))) {
    throw new CliError(`${command}: --${option} must be comma-separated numbers, got '${text}'`, 2);
  }
  return numbers;
}
