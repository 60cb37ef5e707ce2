import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './command';
import { shown } from './terminal-text';

/** A file a command reads or writes, and the option that named it (`--image`, `--out-json`, ...). */
export interface NamedPath {
  readonly option: string;
  readonly path: string;
}

/** The path with symbolic links in its directory resolved (the file itself may not exist yet). */
async function resolvedPath(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    try {
      return join(await realpath(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks, before any work, that every output can be written and overwrites nothing it must
 * not: no output is one of the inputs (compared after resolving links), no two outputs are the
 * same file, each output's directory exists and is writable, and no output is a directory.
 * @throws CliError exit code 2 naming the options and paths
 */
export async function checkOutputs(
  inputs: readonly NamedPath[],
  outputs: readonly NamedPath[],
  command: string,
): Promise<void> {
  const inputKeys = new Map<string, NamedPath>();
  for (const input of inputs) inputKeys.set(await resolvedPath(input.path), input);
  const outputKeys = new Map<string, NamedPath>();
  for (const output of outputs) {
    const key = await resolvedPath(output.path);
    const input = inputKeys.get(key);
    if (input) {
      throw new CliError(
        `${command}: ${output.option} ${shown(output.path)} is the ${input.option} ${shown(input.path)}: refusing to write over an input`,
        2,
      );
    }
    const earlier = outputKeys.get(key);
    if (earlier) {
      throw new CliError(
        `${command}: ${earlier.option} ${shown(earlier.path)} and ${output.option} ${shown(output.path)} are the same file: one would overwrite the other`,
        2,
      );
    }
    outputKeys.set(key, output);
    await checkWritable(output, command);
  }
}

async function checkWritable(output: NamedPath, command: string): Promise<void> {
  const directory = dirname(resolve(output.path));
  const where = `${command}: cannot write ${output.option} ${shown(output.path)}`;
  try {
    if ((await stat(output.path)).isDirectory()) throw new CliError(`${where}: it is a directory`, 2);
  } catch (error) {
    if (error instanceof CliError) throw error;
  }
  try {
    if (!(await stat(directory)).isDirectory())
      throw new CliError(`${where}: ${shown(directory)} is not a directory`, 2);
    await access(directory, constants.W_OK);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? `the directory ${shown(directory)} does not exist` : message(error);
    throw new CliError(`${where}: ${reason}`, 2);
  }
}

/** A temporary name next to `path` (same directory, so a rename replaces it atomically). */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `data` to `path` atomically: into a temporary file in the same directory, then renamed
 * over `path`. Readers see the old file or the whole new one, never a truncated one (a full
 * disk fails the write and leaves the old file as it was). The temporary file is removed on
 * failure. @throws the file system's error
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryName(path);
  try {
    await writeFile(temporary, data, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

/**
 * Files written as one batch: each is staged in a temporary file next to its path, and they
 * replace their paths only on {@link commit}; {@link discard} removes the staged files, leaving
 * the paths untouched. So a run that fails midway writes nothing.
 */
export class StagedOutputs {
  private readonly staged: { path: string; temporary: string }[] = [];

  constructor(private readonly command: string) {}

  /** Stages `data` for `output`. @throws CliError exit code 1 naming the file (staged ones are kept for discard) */
  async stage(output: NamedPath, data: string | Uint8Array): Promise<void> {
    const temporary = temporaryName(output.path);
    try {
      await writeFile(temporary, data, { flag: 'wx' });
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw new CliError(
        `${this.command}: cannot write ${output.option} ${shown(output.path)}: ${message(error)}`,
        1,
      );
    }
    this.staged.push({ path: output.path, temporary });
  }

  /** How many files are staged. */
  get size(): number {
    return this.staged.length;
  }

  /** Renames every staged file over its path. @throws CliError exit code 1 (the rest are discarded) */
  async commit(): Promise<void> {
    while (this.staged.length > 0) {
      const { path, temporary } = this.staged[0]!;
      try {
        await rename(temporary, path);
      } catch (error) {
        await this.discard();
        throw new CliError(`${this.command}: cannot write ${shown(path)}: ${message(error)}`, 1);
      }
      this.staged.shift();
    }
  }

  /** Removes every staged file; the paths keep what they held. */
  async discard(): Promise<void> {
    const staged = this.staged.splice(0);
    await Promise.all(staged.map(({ temporary }) => unlink(temporary).catch(() => {})));
  }
}

/**
 * Removes the files at `paths` that exist (left by an earlier run), so that they cannot be
 * taken for the results of a run that failed.
 * @returns the paths removed, and those that exist but could not be removed
 */
export async function removeEarlierOutputs(
  paths: readonly string[],
): Promise<{ removed: string[]; kept: string[] }> {
  const removed: string[] = [];
  const kept: string[] = [];
  for (const path of paths) {
    try {
      await unlink(path);
      removed.push(path);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') kept.push(path);
    }
  }
  return { removed, kept };
}
