import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli';

const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url));
const base = ['eval', '--gt', fixture('small-gt.json'), '--dt', fixture('small-dt.json')];

describe('rcnn eval flags', () => {
  it.each([
    [['--iou-type', 'bbox', '--max-dets', '5'], /--max-dets must be three numbers for bbox .*got '5'/],
    [['--iou-type', 'segm', '--max-dets', '1,10'], /--max-dets must be three numbers for segm/],
    [
      ['--iou-type', 'bbox', '--max-dets', '1,-10,100'],
      /--max-dets must be positive whole numbers, got '1,-10,100'/,
    ],
    [['--iou-type', 'bbox', '--max-dets', '1,10.5,100'], /--max-dets must be positive whole numbers/],
    [['--iou-type', 'bbox', '--max-dets', '0,10,100'], /--max-dets must be positive whole numbers/],
    [['--iou-type', 'keypoints', '--cat-ids', '1', '--max-dets', '10'], /includes 20 for keypoints/],
    [['--iou-type', 'bbox', '--cat-ids', '1.5'], /--cat-ids must be whole numbers \(COCO ids\), got '1\.5'/],
    [['--iou-type', 'bbox', '--img-ids', '1,x'], /--img-ids must be comma-separated numbers, got '1,x'/],
    [['--iou-type', 'bbox', '--max-detz', '1'], /unknown option --max-detz \(did you mean --max-dets\?\)/],
  ])('%j is one clear line, exit 2', async (extra, message) => {
    const { code, stderr } = await runCli(...base, ...extra);
    expect(code).toBe(2);
    const [first, ...rest] = stderr.trimEnd().split('\n');
    expect(first).toMatch(message);
    expect(rest).toEqual(["Run 'rcnn eval --help' for usage."]);
  });

  it('accepts valid lists: three or more for bbox, any including 20 for keypoints', async () => {
    const bbox = await runCli(...base, '--iou-type', 'bbox', '--max-dets', '1,10,100,300');
    expect(bbox.code, bbox.stderr).toBe(0);
    const keypoints = await runCli(
      ...base,
      '--iou-type',
      'keypoints',
      '--cat-ids',
      '1',
      '--max-dets',
      '5,20',
    );
    expect(keypoints.code, keypoints.stderr).toBe(0);
  });
});

describe('outputs of eval, convert and bench', () => {
  it('are never one of their inputs', async () => {
    const gt = fixture('small-gt.json');
    const evaluation = await runCli(...base, '--iou-type', 'bbox', '--json', gt);
    expect(evaluation.code).toBe(2);
    expect(evaluation.stderr).toMatch(
      /--json .*small-gt\.json is the --gt .*small-gt\.json: refusing to write over an input/,
    );
    const convert = await runCli(
      'convert',
      '--arch',
      'fasterrcnn_resnet18_fpn',
      '--weights',
      gt,
      '--out',
      gt,
    );
    expect(convert.code).toBe(2);
    expect(convert.stderr).toMatch(/--out .*small-gt\.json is the --weights/);
    const bench = await runCli(
      'bench',
      '--arch',
      'fasterrcnn_resnet18_fpn',
      '--weights',
      'deterministic',
      '--image',
      gt,
      '--json',
      gt,
    );
    expect(bench.code).toBe(2);
    expect(bench.stderr).toMatch(/--json .*small-gt\.json is the --image/);
  });
});
