import { seededRandom } from '@rcnn/test-utils';
import { describe, expect, it } from 'vitest';
import { CliError } from './command';
import { predictCommand } from './commands/predict';
import { failureMessage } from './main';
import { parseModelOptions } from './model-options';
import { parseArguments } from './parse-arguments';
import { closestMatch, editDistance } from './suggest';
import { shown } from './terminal-text';
import { runCli } from './test-support/run-cli';

const SPECS = predictCommand.options;

function parseError(argv: string[]): CliError {
  try {
    parseArguments(argv, SPECS, 'rcnn predict');
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('did you mean', () => {
  it('measures edit distance and picks the closest option, or none', () => {
    expect(editDistance('out-jsn', 'out-json')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestMatch('out-jsn', Object.keys(SPECS))).toBe('out-json');
    expect(closestMatch('box-score', Object.keys(SPECS))).toBe('box-score-thresh');
    expect(closestMatch('zzzzzz', Object.keys(SPECS))).toBeUndefined();
  });

  it('suggests the option for a typo, a single dash and an unknown command', async () => {
    expect(parseError(['--out-jsn', 'x']).message).toBe(
      'rcnn predict: unknown option --out-jsn (did you mean --out-json?)',
    );
    expect(parseError(['--imgae=a.png']).message).toMatch(/did you mean --image\?/);
    expect(parseError(['-image', 'a.png']).message).toMatch(
      /options are --long only\) \(did you mean --image\?\)/,
    );
    expect(parseError(['--zzzzzzzz']).message).toBe('rcnn predict: unknown option --zzzzzzzz');
    expect(parseError(['--constructor']).message).toMatch(/unknown option --constructor/);
    const { code, stderr } = await runCli('predcit');
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'predcit' \(did you mean predict\?\)/);
  });
});

describe('messages on a terminal', () => {
  it('escapes control characters, keeping newlines only when asked', () => {
    expect(shown('a\x1b[31mred\x07\u009b')).toBe('a\\x1b[31mred\\x07\\x9b');
    expect(shown('one\ntwo', true)).toBe('one\ntwo');
    expect(shown('one\ntwo')).toBe('one\\x0atwo');
  });

  it('prints one line for any failure: CliError, coded error, internal error', () => {
    expect(failureMessage(new CliError('rcnn x: bad \x1b]0;title\x07'), 'rcnn x')).toBe(
      'rcnn x: bad \\x1b]0;title\\x07',
    );
    const coded = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(failureMessage(coded, 'rcnn x')).toBe('rcnn x: ENOENT: no such file');
    const internal = failureMessage(new TypeError('x is undefined\n    at f (a.ts:1:1)'), 'rcnn x');
    expect(internal).toMatch(/^rcnn x: internal error: x is undefined \(set RCNN_DEBUG=1/);
    expect(internal).not.toContain('\n');
  });

  it('never echoes an escape code from a file name', async () => {
    const { code, stderr } = await runCli(
      'eval',
      '--gt',
      'missing\x1b[2J.json',
      '--dt',
      'd.json',
      '--iou-type',
      'bbox',
    );
    expect(code).toBe(1);
    expect(stderr).not.toContain('\x1b');
    expect(stderr).toContain('missing\\x1b[2J.json');
  });
});

/** Random argv from option names, near-misses, values and junk. */
function randomArgv(random: () => number): string[] {
  const names = Object.keys(SPECS);
  const pieces = [
    () => `--${names[Math.floor(random() * names.length)]}`,
    () => `--${names[Math.floor(random() * names.length)]}=${randomValue(random)}`,
    () => `--${names[Math.floor(random() * names.length)]!.slice(1)}`,
    () => randomValue(random),
    () =>
      ['-', '--', '---', '-x', '--=', '--__proto__', '--toString', '-1', '--image='][
        Math.floor(random() * 9)
      ]!,
  ];
  return Array.from({ length: Math.floor(random() * 8) }, () =>
    pieces[Math.floor(random() * pieces.length)]!(),
  );
}

function randomValue(random: () => number): string {
  const values = [
    '0',
    '1',
    '-1',
    '0.5',
    '1e9',
    'NaN',
    'Infinity',
    '1,2,3',
    '3,,4',
    ' ',
    'x\x1b',
    '100000',
    '2.5',
    '',
  ];
  return values[Math.floor(random() * values.length)]!;
}

describe('fuzz: the flag parser', () => {
  it('either parses or throws a one-line CliError, and model flags give valid options or a CliError', () => {
    const random = seededRandom(2026);
    let parsed = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const argv = [
        '--arch',
        'maskrcnn_resnet18_fpn',
        '--weights',
        'w',
        '--image',
        'i',
        '--out-json',
        'o',
        ...randomArgv(random),
      ];
      try {
        const args = parseArguments(argv, SPECS, 'rcnn predict');
        const options = parseModelOptions(args.options, 'rcnn predict');
        for (const value of Object.values(options).flat())
          expect(Number.isFinite(value as number)).toBe(true);
        parsed++;
      } catch (error) {
        expect(error, argv.join(' ')).toBeInstanceOf(CliError);
        const { message } = error as CliError;
        expect(message).toMatch(/^rcnn predict: /);
        expect(message).not.toContain('\n');
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });

  it('main() answers random eval command lines with exit 1 or 2 and one-line errors, never a stack', async () => {
    const random = seededRandom(7);
    const evalNames = [
      'gt',
      'dt',
      'iou-type',
      'cat-ids',
      'img-ids',
      'max-dets',
      'json',
      'verbose',
      'max-det',
    ];
    for (let trial = 0; trial < 150; trial++) {
      const argv = Array.from({ length: Math.floor(random() * 7) }, () =>
        random() < 0.5 ? `--${evalNames[Math.floor(random() * evalNames.length)]}` : randomValue(random),
      );
      const { code, stderr } = await runCli('eval', ...argv);
      expect([1, 2], argv.join(' ')).toContain(code);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stderr).not.toMatch(/internal error/);
    }
  });
});
