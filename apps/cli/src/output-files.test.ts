import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@rcnn/test-utils';
import { describe, expect, it } from 'vitest';
import { CliError } from './command';
import { checkOutputs, removeEarlierOutputs, StagedOutputs, writeFileAtomic } from './output-files';
import { temporaryDirectory } from './test-support/run-cli';

const COMMAND = 'rcnn test';

async function refusal(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('checkOutputs', () => {
  it('refuses an output that is an input, also through a link', async () => {
    const directory = temporaryDirectory();
    const image = join(directory, 'photo.png');
    writeFileSync(image, 'pixels');
    symlinkSync(image, join(directory, 'alias.png'));
    const inputs = [{ option: '--image', path: image }];
    const direct = await refusal(checkOutputs(inputs, [{ option: '--out-json', path: image }], COMMAND));
    expect(direct.exitCode).toBe(2);
    expect(direct.message).toMatch(
      /--out-json .*photo\.png is the --image .*photo\.png: refusing to write over an input/,
    );
    const linked = await refusal(
      checkOutputs(inputs, [{ option: '--out-image', path: join(directory, 'alias.png') }], COMMAND),
    );
    expect(linked.message).toMatch(/--out-image .*alias\.png is the --image/);
    expect(readFileSync(image, 'utf8')).toBe('pixels');
  });

  it('says when two outputs are the same file', async () => {
    const directory = temporaryDirectory();
    const outputs = [
      { option: '--out-json', path: join(directory, 'out.json') },
      { option: '--out-image', path: join(directory, '.', 'out.json') },
    ];
    const error = await refusal(checkOutputs([], outputs, COMMAND));
    expect(error.message).toMatch(/--out-json .*out\.json and --out-image .*out\.json are the same file/);
  });

  it('refuses a missing directory and a directory as the output, naming them', async () => {
    const directory = temporaryDirectory();
    const missing = await refusal(
      checkOutputs([], [{ option: '--out-json', path: join(directory, 'nope', 'out.json') }], COMMAND),
    );
    expect(missing.message).toMatch(
      /cannot write --out-json .*nope\/out\.json: the directory .*nope does not exist/,
    );
    mkdirSync(join(directory, 'folder'));
    const folder = await refusal(
      checkOutputs([], [{ option: '--out-json', path: join(directory, 'folder') }], COMMAND),
    );
    expect(folder.message).toMatch(/it is a directory/);
    await expect(
      checkOutputs([], [{ option: '--out-json', path: join(directory, 'ok.json') }], COMMAND),
    ).resolves.toBe(undefined);
  });

  it('escapes control characters of the names it reports', async () => {
    const directory = temporaryDirectory();
    const error = await refusal(
      checkOutputs([], [{ option: '--out-json', path: join(directory, 'x\x1b[2J', 'o.json') }], COMMAND),
    );
    expect(error.message).not.toContain('\x1b');
    expect(error.message).toContain('x\\x1b[2J');
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file, also when it fails', async () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'out.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new contents');
    expect(readFileSync(path, 'utf8')).toBe('new contents');
    mkdirSync(join(directory, 'taken'));
    await expect(writeFileAtomic(join(directory, 'taken'), 'x')).rejects.toThrow();
    expect(readdirSync(directory).sort()).toEqual(['out.json', 'taken']);
  });

  it('fuzz: any name and bytes are written exactly or refused with one line, leaving no debris', async () => {
    const random = seededRandom(14);
    const alphabet = ['a', 'Z', '0', '.', '-', ' ', 'é', '\x1b', '\t', '\n', '/', '..', '\u202e', '😀', ':'];
    for (let trial = 0; trial < 60; trial++) {
      const directory = temporaryDirectory();
      const length = 1 + Math.floor(random() * 12);
      const name = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const bytes = Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256));
      const path = join(directory, name);
      try {
        await writeFileAtomic(path, bytes);
        expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
      } catch (error) {
        expect(typeof (error as { code?: unknown }).code).toBe('string');
        expect((error as Error).message).not.toContain('\n    at ');
      }
      const debris = readdirSync(directory, { recursive: true }).filter((entry) =>
        String(entry).endsWith('.tmp'),
      );
      expect(debris).toEqual([]);
    }
  });
});

describe('StagedOutputs', () => {
  it('writes nothing until commit, and nothing at all on discard', async () => {
    const directory = temporaryDirectory();
    const a = { option: '--out-json', path: join(directory, 'a.json') };
    const b = { option: '--out-image', path: join(directory, 'b.png') };
    writeFileSync(a.path, 'earlier');
    const staged = new StagedOutputs(COMMAND);
    await staged.stage(a, 'new');
    await staged.stage(b, new Uint8Array([1, 2]));
    expect(readFileSync(a.path, 'utf8')).toBe('earlier');
    await staged.discard();
    expect(readdirSync(directory)).toEqual(['a.json']);
    await staged.stage(a, 'new');
    await staged.stage(b, new Uint8Array([1, 2]));
    await staged.commit();
    expect(readFileSync(a.path, 'utf8')).toBe('new');
    expect(readdirSync(directory).sort()).toEqual(['a.json', 'b.png']);
  });

  it('names the output it cannot stage', async () => {
    const directory = temporaryDirectory();
    const staged = new StagedOutputs(COMMAND);
    const error = await refusal(
      staged.stage({ option: '--out-json', path: join(directory, 'no', 'x.json') }, 'x'),
    );
    expect(error.message).toMatch(/^rcnn test: cannot write --out-json .*no\/x\.json: ENOENT/);
  });
});

describe('removeEarlierOutputs', () => {
  it('removes the files that exist and lists them', async () => {
    const directory = temporaryDirectory();
    writeFileSync(join(directory, 'old.json'), '[]');
    const result = await removeEarlierOutputs([join(directory, 'old.json'), join(directory, 'absent.json')]);
    expect(result).toEqual({ removed: [join(directory, 'old.json')], kept: [] });
    expect(readdirSync(directory)).toEqual([]);
  });
});
