import type { OptionSpecs, ParsedArguments } from './parse-arguments';

/**
 * What a command may touch: output streams and files (Node's in the binary, fakes in tests).
 * The binary's `writeFile`/`writeBytes` are atomic (a temporary file renamed over the path).
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  /** A whole file as bytes (images, weights). */
  readBytes(path: string): Promise<Uint8Array>;
  writeBytes(path: string, bytes: Uint8Array): Promise<void>;
  /** Whether stderr is a terminal (live progress is drawn only then). Default false. */
  readonly stderrIsTty?: boolean;
}

/**
 * One `rcnn <name>` subcommand, a module under src/commands/. `run` returns the exit
 * code; it throws CliError for a user mistake (printed without a stack trace).
 */
export interface CommandModule {
  readonly name: string;
  /** One line for `rcnn --help`. */
  readonly summary: string;
  /** Usage line(s) after `rcnn <name>`. */
  readonly usage: string;
  readonly options: OptionSpecs;
  run(args: ParsedArguments, io: CliIo): Promise<number>;
}

/** A mistake in how the command was called or in its input files; exit code 2 for usage, 1 for input. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
