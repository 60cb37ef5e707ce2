import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '@rcnn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoScenePng } from '../../scripts/demo-scene';
import type { LoadedDetector } from '../load-detector';
import { usingDetector } from '../load-detector';
import {
  runCli,
  runCliWith,
  SMALL_MODEL_OPTIONS,
  temporaryDirectory,
  writeDemoImage,
} from '../test-support/run-cli';
import type { ImageResult } from './predict-json';

let directory: string;
let good: string;
let other: string;
/** A PNG whose header is fine but whose pixel data is cut off. */
let truncated: string;

beforeAll(() => {
  directory = temporaryDirectory();
  good = writeDemoImage(directory, 64, 48, 'good.png');
  other = writeDemoImage(directory, 48, 64, 'other.png');
  truncated = join(directory, 'truncated.png');
  writeFileSync(truncated, demoScenePng(64, 48).subarray(0, 60));
});

function predictArgs(out: string, ...extra: string[]): string[] {
  return [
    'predict',
    '--arch',
    'fasterrcnn_resnet18_fpn',
    '--weights',
    'deterministic',
    '--out-json',
    out,
    ...SMALL_MODEL_OPTIONS,
    ...extra,
  ];
}

describe('rcnn predict loses nothing', () => {
  it('refuses to write over an input, also through a link, before loading anything', async () => {
    const copy = writeDemoImage(directory, 64, 48, 'precious.png');
    const before = readFileSync(copy);
    symlinkSync(copy, join(directory, 'link.json'));
    const direct = await runCli(...predictArgs(copy, '--image', copy));
    expect(direct.code).toBe(2);
    expect(direct.stderr).toMatch(
      /--out-json .*precious\.png is the --image .*precious\.png: refusing to write over an input/,
    );
    const linked = await runCli(...predictArgs(join(directory, 'link.json'), '--image', copy));
    expect(linked.code).toBe(2);
    const drawing = await runCli(
      ...predictArgs(join(directory, 'x.json'), '--image', copy, '--out-image', copy),
    );
    expect(drawing.stderr).toMatch(/--out-image .*precious\.png is the --image/);
    expect(readFileSync(copy)).toEqual(before);
    expect(direct.stderr + linked.stderr + drawing.stderr).not.toMatch(/ready in/);
  });

  it('says when two outputs collide, and checks output folders before building the model', async () => {
    const out = join(directory, 'same.json');
    const collide = await runCli(...predictArgs(out, '--image', good, '--out-image', out));
    expect(collide.code).toBe(2);
    expect(collide.stderr).toMatch(/--out-json .*same\.json and --out-image .*same\.json are the same file/);
    const missing = await runCli(...predictArgs(join(directory, 'no-such-dir', 'out.json'), '--image', good));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot write --out-json .*: the directory .*no-such-dir does not exist/);
    expect(missing.stderr).not.toMatch(/ready in/);
  });

  it('checks every image before the model: a bad header writes nothing and removes a stale out.json, saying so', async () => {
    const out = join(directory, 'stale.json');
    writeFileSync(out, '[{"image":"from an earlier run"}]');
    const notes = join(directory, 'notes.png');
    writeFileSync(notes, 'just text');
    const { code, stderr } = await runCli(...predictArgs(out, '--image', good, '--image', notes));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /--image .*notes\.png: not a readable image: 9 bytes that are neither PNG nor JPEG\n/,
    );
    expect(stderr).toMatch(
      /removed .*stale\.json from an earlier run, so that it is not taken for this run's result/,
    );
    expect(stderr).toMatch(/1 of 2 images failed; no output written \(--keep-going writes the others\)/);
    expect(stderr).not.toMatch(/ready in/);
    expect(existsSync(out)).toBe(false);
  });

  it('by default, an image failing to decode midway writes nothing: no JSON, no drawings', async () => {
    const out = join(directory, 'midway.json');
    const { code, stderr } = await runCli(
      ...predictArgs(
        out,
        '--image',
        good,
        '--image',
        truncated,
        '--image',
        other,
        '--out-image',
        join(directory, 'midway.png'),
      ),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/--image .*truncated\.png: PNG: /);
    expect(stderr).toMatch(/1 of 3 images failed; no output written/);
    expect(stderr).not.toContain('\r');
    expect(
      readdirSync(directory).filter((name) => name.startsWith('midway') || name.endsWith('.tmp')),
    ).toEqual([]);
  });

  it('--keep-going writes the others and exits 3; on a terminal it draws a progress bar with stages', async () => {
    const out = join(directory, 'kept.json');
    const { code, stderr } = await runCliWith(
      { stderrIsTty: true },
      ...predictArgs(out, '--image', good, '--image', truncated, '--image', other, '--keep-going'),
      '--out-image',
      join(directory, 'kept.png'),
      '--box-detections-per-img',
      '5',
    );
    expect(code, stderr).toBe(3);
    const json = JSON.parse(readFileSync(out, 'utf8')) as ImageResult[];
    expect(json.map((entry) => entry.image)).toEqual([good, other]);
    expect(json.map((entry) => entry.instances.length)).toEqual([5, 5]);
    expect(existsSync(join(directory, 'kept-1.png'))).toBe(true);
    expect(existsSync(join(directory, 'kept-2.png'))).toBe(false);
    expect(existsSync(join(directory, 'kept-3.png'))).toBe(true);
    expect(stderr).toMatch(/1 of 3 images failed; wrote .*kept\.json with the other 2 \(exit code 3\)/);
    // The deterministic-weights note prints what was used, the given value marked.
    expect(stderr).toMatch(/settings for them: boxScoreThresh=0, boxDetectionsPerImg=5 \(given\)/);
    expect(stderr).toContain('\r\x1b[K[1/3] .................... 0% ');
    expect(stderr).toMatch(/\[1\/3\] \.+ 0% .*good\.png: transform/);
    for (const stage of ['backbone', 'rpn', 'roiHeads', 'postprocess']) {
      expect(stderr).toMatch(new RegExp(`\\[3/3\\] #+\\.* \\d+% .*other\\.png: ${stage}`));
    }
  });
});

describe('rcnn predict refuses what would crash', () => {
  it.each([
    [['--size-divisible', '100000'], /--size-divisible must be at most 256 .*got '100000'/],
    [['--max-size', '50000'], /--max-size must be at most 4096 px a side/],
    [['--fixed-size', '100,9000'], /--fixed-size must be at most 4096/],
  ])('%j', async (extra, message) => {
    const { code, stderr } = await runCli(
      ...predictArgs(join(directory, 'x.json'), '--image', good, ...extra),
    );
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it('more detections than one mask-branch chunk (100): all of them, with masks', async () => {
    const out = join(directory, 'many.json');
    const argv = predictArgs(out, '--image', good, '--box-detections-per-img', '130');
    argv[2] = 'maskrcnn_resnet18_fpn';
    const { code, stderr } = await runCli(...argv);
    expect(code, stderr).toBe(0);
    const [result] = JSON.parse(readFileSync(out, 'utf8')) as [ImageResult];
    expect(result.instances).toHaveLength(130);
    expect(result.instances.every((instance) => instance.mask?.size[0] === 48)).toBe(true);
  });

  it('a very thin image, naming it', async () => {
    const thin = join(directory, 'thin.png');
    writeFileSync(thin, encodePng(new Uint8Array(1 * 500 * 4).fill(255), 500, 1));
    const { code, stderr } = await runCli(...predictArgs(join(directory, 'thin.json'), '--image', thin));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /--image .*thin\.png: 500x1 px is too thin: resized so the long side is at most 96 px it would be 96x0 px/,
    );
  });

  it('never lets a failing dispose() hide the first error', async () => {
    const loaded = {
      model: {
        dispose() {
          throw new Error('memory access out of bounds');
        },
      },
    } as unknown as LoadedDetector;
    await expect(
      usingDetector(loaded, async () => {
        throw new Error('the real problem');
      }),
    ).rejects.toThrow('the real problem');
    await expect(usingDetector(loaded, async () => 0)).rejects.toThrow('memory access out of bounds');
    // A run that already failed (and said why) returns its exit code; dispose's error adds nothing.
    await expect(usingDetector(loaded, async () => 1)).resolves.toBe(1);
  });
});

describe('rcnn bench', () => {
  it('names a very thin image instead of failing inside the model', async () => {
    const thin = join(directory, 'thin-bench.png');
    writeFileSync(thin, encodePng(new Uint8Array(1 * 500 * 4).fill(255), 500, 1));
    const { code, stderr } = await runCli(
      'bench',
      '--arch',
      'fasterrcnn_resnet18_fpn',
      '--weights',
      'deterministic',
      '--image',
      thin,
      ...SMALL_MODEL_OPTIONS,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^rcnn bench: --image .*thin-bench\.png: 500x1 px is too thin/);
  });
});
