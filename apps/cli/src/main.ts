import { realpathSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CliError, type CliIo } from './command';
import { commandLoaders, commandSummaries } from './commands/index';
import { formatOptions, parseArguments } from './parse-arguments';

/** The binary's I/O: process streams and the file system. */
export const nodeIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, text) => writeFile(path, text, 'utf8'),
  readBytes: async (path) => {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
  writeBytes: (path, bytes) => writeFile(path, bytes),
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
 * @returns the exit code: 0 ok, 1 bad input file or failure, 2 bad usage
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
    io.stderr(`rcnn: unknown command '${name}'. Run 'rcnn --help' for the list.\n`);
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
    if (error instanceof CliError) {
      io.stderr(`${error.message}\n`);
      if (error.exitCode === 2) io.stderr(`Run 'rcnn ${command.name} --help' for usage.\n`);
      return error.exitCode;
    }
    if (hasErrorCode(error)) {
      // An RcnnError (bad image, weights, options) or a Node system error (ENOENT, EACCES): the
      // message says what to fix, a stack trace would not. Matched by shape, not by class, so
      // that main() never imports @rcnn/core (and TensorFlow.js) for commands that do not need it.
      io.stderr(`rcnn ${command.name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
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
      process.stderr.write(
        `rcnn: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
