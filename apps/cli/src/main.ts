import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CliError, type CliIo } from './command';
import { commandLoaders, commandSummaries } from './commands/index';
import { writeFileAtomic } from './output-files';
import { formatOptions, parseArguments } from './parse-arguments';
import { didYouMean } from './suggest';
import { shown } from './terminal-text';

/** The binary's I/O: process streams and the file system. */
export const nodeIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, text) => writeFileAtomic(path, text),
  readBytes: async (path) => {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
  writeBytes: (path, bytes) => writeFileAtomic(path, bytes),
  stderrIsTty: process.stderr.isTTY === true,
};

function mainHelp(): string {
  const names = Object.keys(commandSummaries);
  const width = Math.max(...names.map((name) => name.length));
  return [
    'Usage: rcnn <command> [options]',
    '',
    'Commands:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${commandSummaries[name]}`),
    '',
    "Run 'rcnn <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/**
 * Runs `rcnn` with `argv` (the arguments after the program name).
 * @returns the exit code: 0 ok, 1 bad input file or failure, 2 bad usage, 3 `predict --keep-going`
 *   wrote the images that worked but some failed
 */
export async function main(argv: readonly string[], io: CliIo = nodeIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(mainHelp());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp());
    return 0;
  }
  const load = Object.hasOwn(commandLoaders, name) ? commandLoaders[name] : undefined;
  if (!load) {
    const hint = didYouMean(name, Object.keys(commandLoaders));
    io.stderr(`rcnn: unknown command '${shown(name)}'${hint}. Run 'rcnn --help' for the list.\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(
      `Usage: rcnn ${command.name} ${command.usage}\n\n${command.summary}\n\nOptions:\n${formatOptions(command.options)}\n`,
    );
    return 0;
  }
  try {
    return await command.run(parseArguments(rest, command.options, `rcnn ${command.name}`), io);
  } catch (error) {
    io.stderr(`${failureMessage(error, `rcnn ${command.name}`)}\n`);
    if (error instanceof CliError) {
      if (error.exitCode === 2) io.stderr(`Run 'rcnn ${command.name} --help' for usage.\n`);
      return error.exitCode;
    }
    return 1;
  }
}

/**
 * One line (control characters escaped) for a command's failure, never a stack trace:
 * a CliError's message as is; an RcnnError (bad image, weights, options) or a Node system
 * error (ENOENT, EACCES), matched by shape so that main() never imports @rcnn/core, after the
 * command's name; anything else (a bug, a WebAssembly abort) marked as an internal error, with
 * `RCNN_DEBUG=1` to print its stack.
 */
export function failureMessage(error: unknown, command: string): string {
  if (error instanceof CliError) return shown(error.message.trimEnd(), true);
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = shown(text.split('\n')[0] ?? '');
  if (hasErrorCode(error)) return `${command}: ${firstLine}`;
  const stack = process.env.RCNN_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
  return `${command}: internal error: ${firstLine} (set RCNN_DEBUG=1 for the stack trace; please report it)${stack}`;
}

/** An Error carrying a string `code`: RcnnError (`INVALID_IMAGE`, ...) or a Node system error. */
function hasErrorCode(error: unknown): error is Error & { code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

/** True when this file is the program being run (not imported by a test). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${failureMessage(error, 'rcnn')}\n`);
      process.exitCode = 1;
    },
  );
}
