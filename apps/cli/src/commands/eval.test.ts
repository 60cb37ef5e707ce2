import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli as run, runCliWith as runWith } from '../test-support/run-cli';

const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url));
const expected = JSON.parse(readFileSync(fixture('expected-summary.json'), 'utf8')) as Record<
  string,
  { catIds: number[]; stats: number[]; summary_lines: string[] }
>;

const base = ['eval', '--gt', fixture('small-gt.json'), '--dt', fixture('small-dt.json')];

describe('rcnn eval', () => {
  it.each(['bbox', 'segm'])('prints pycocotools summary lines for %s', async (iouType) => {
    const { code, stdout, stderr } = await run(...base, '--iou-type', iouType);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual(expected[iouType].summary_lines);
  });

  it('prints the 10 keypoint lines with --cat-ids', async () => {
    const { code, stdout } = await run(...base, '--iou-type=keypoints', '--cat-ids', '1');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual(expected.keypoints.summary_lines);
  });

  it('writes the stats in pycocotools order with --json', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rcnn-eval-')), 'stats.json');
    const { code } = await run(...base, '--iou-type', 'bbox', '--json', out);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.stats).toHaveLength(12);
    report.stats.forEach((value: number, i: number) => {
      expect(value).toBeCloseTo(expected.bbox.stats[i], 12);
    });
    expect(report.summary_lines).toEqual(expected.bbox.summary_lines);
  });

  it('restricts images with --img-ids', async () => {
    const { code, stdout } = await run(...base, '--iou-type', 'bbox', '--img-ids', '1,2');
    expect(code).toBe(0);
    // No such images: every cell is empty, so pycocotools prints -1 everywhere.
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .every((line) => line.endsWith('= -1.000')),
    ).toBe(true);
  });
});

describe('rcnn usage errors', () => {
  it('lists the commands with --help', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: rcnn <command>/);
    expect(stdout).toMatch(/^ {2}eval /m);
  });

  it('shows a command help', async () => {
    const { code, stdout } = await run('eval', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/--iou-type TYPE/);
  });

  it('exits 2 without a command', async () => {
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toMatch(/Usage/);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [[...base, '--iou-type', 'bbox', '--nope'], /unknown option --nope/],
    [[...base, '--iou-type', 'boxes'], /--iou-type must be one of bbox, segm, keypoints/],
    [['eval', '--dt', fixture('small-dt.json'), '--iou-type', 'bbox'], /missing --gt/],
    [[...base, '--iou-type', 'bbox', '--cat-ids', '1,x'], /--cat-ids must be comma-separated numbers/],
    [[...base, '--iou-type'], /--iou-type needs a value/],
  ])('exits 2 on bad usage: %j', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 1 naming an unreadable file', async () => {
    const { code, stderr } = await run(
      'eval',
      '--gt',
      '/no/such/gt.json',
      '--dt',
      fixture('small-dt.json'),
      '--iou-type',
      'bbox',
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot read --gt file '\/no\/such\/gt.json'/);
  });

  it('with two unreadable files, names the first in argument order whichever read fails first', async () => {
    // The --gt read fails only after the --dt read has failed: the message must still name --gt.
    let dtFailed!: () => void;
    const dtDone = new Promise<void>((resolve) => {
      dtFailed = resolve;
    });
    const readFile = async (path: string): Promise<string> => {
      if (path === 'dt.json') {
        setTimeout(dtFailed, 0);
        throw new Error('no dt');
      }
      await dtDone;
      throw new Error('no gt');
    };
    const { code, stderr } = await runWith(
      { readFile },
      'eval',
      '--gt',
      'gt.json',
      '--dt',
      'dt.json',
      '--iou-type',
      'bbox',
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot read --gt file 'gt.json': no gt/);
  });

  it('exits 1 on a file that is not JSON, or not COCO', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcnn-eval-'));
    writeFileSync(join(dir, 'broken.json'), '{"images": [');
    writeFileSync(
      join(dir, 'unknown-image.json'),
      JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }]),
    );
    let result = await run(
      'eval',
      '--gt',
      join(dir, 'broken.json'),
      '--dt',
      fixture('small-dt.json'),
      '--iou-type',
      'bbox',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is not valid JSON/);
    result = await run(
      'eval',
      '--gt',
      fixture('small-gt.json'),
      '--dt',
      join(dir, 'unknown-image.json'),
      '--iou-type',
      'bbox',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid results .*image_id 1 is not an image of the ground truth/);
  });
});
