import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImagePixels } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import type { ProgressRecord } from '../loop/progress';
import { formatProgress } from '../loop/progress';
import { CsvLog, readCsvLog } from './csv-log';
import { renderLossCurvePng, SERIES_COLORS } from './loss-curve-png';

const record = (iteration: number, total: number): ProgressRecord => ({
  iteration,
  iterations: 10,
  losses: { 'rpn/objectness': total / 4, 'roiHeads/classification': (3 * total) / 4 },
  total,
  lr: 0.02,
  secondsPerIteration: 1.5,
  etaSeconds: 1.5 * (10 - iteration),
});

describe('logs', () => {
  it('CsvLog writes a header once and one row per record, and a resumed log keeps appending', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rcnn-csv-')), 'log.csv');
    const log = new CsvLog(path);
    await log.append(record(1, 2));
    await log.append(record(2, 1));
    await new CsvLog(path).append({ ...record(3, 0.5), gradNorm: 0.25 });
    const { columns, rows } = readCsvLog(readFileSync(path, 'utf8'));
    expect(columns).toEqual([
      'iteration',
      'lr',
      'total',
      'rpn/objectness',
      'roiHeads/classification',
      'grad_norm',
      'seconds_per_iteration',
    ]);
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3]);
    expect(rows[2]).toEqual([3, 0.02, 0.5, 0.125, 0.375, 0.25, 1.5]);
    expect(Number.isNaN(rows[0][5])).toBe(true);
  });

  it('renderLossCurvePng draws each series in its colour inside the plot', () => {
    const x = Array.from({ length: 50 }, (_, i) => i + 1);
    const png = renderLossCurvePng(
      [
        { x, y: x.map((i) => 2 / i) },
        { x, y: x.map((i) => 1 / i) },
      ],
      200,
      120,
    );
    const image = decodeImagePixels(png);
    expect([image.width, image.height]).toEqual([200, 120]);
    const count = (rgb: readonly number[]) => {
      let n = 0;
      for (let i = 0; i < image.data.length; i += 3) {
        if (image.data[i] === rgb[0] && image.data[i + 1] === rgb[1] && image.data[i + 2] === rgb[2]) n++;
      }
      return n;
    };
    expect(count(SERIES_COLORS[1])).toBeGreaterThan(100);
    expect(count(SERIES_COLORS[2])).toBe(0);
    // y axis up to the 98th percentile (1 here): the last points (x = 50) at 0.04 and 0.02 of 88 px
    const at = (px: number, py: number) =>
      Array.from(image.data.subarray((py * 200 + px) * 3, (py * 200 + px) * 3 + 3));
    expect(at(190, 96)).toEqual([...SERIES_COLORS[0]]);
    expect(at(190, 98)).toEqual([...SERIES_COLORS[1]]);
  });

  it('formatProgress renders a torchvision-style line', () => {
    expect(formatProgress(record(3, 1))).toBe(
      '[ 3/10]  eta: 0:00:11  lr: 0.02000  loss: 1.0000  rpn/objectness: 0.2500  roiHeads/classification: 0.7500  time: 1.500 s/it',
    );
  });
});
