import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImagePixels } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import type { ProgressRecord } from '../loop/progress';
import { formatProgress } from '../loop/progress';
import { CsvLog, isLossColumn, readCsvLog } from './csv-log';
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
    await new CsvLog(path).append({
      ...record(3, 0.5),
      gradNorm: 0.25,
      memory: { rssMegabytes: 812.34, tensors: 420 },
    });
    const { columns, rows } = readCsvLog(readFileSync(path, 'utf8'));
    expect(columns).toEqual([
      'iteration',
      'lr',
      'total',
      'rpn/objectness',
      'roiHeads/classification',
      'grad_norm',
      'seconds_per_iteration',
      'rss_mb',
      'tensors',
    ]);
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3]);
    expect(rows[2]).toEqual([3, 0.02, 0.5, 0.125, 0.375, 0.25, 1.5, 812.3, 420]);
    expect(Number.isNaN(rows[0][5])).toBe(true);
    expect(columns.filter(isLossColumn)).toEqual(['rpn/objectness', 'roiHeads/classification']);
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

  it('renderLossCurvePng smooths a long noisy series over a pale raw line, and names the series in a legend', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i + 1);
    const noisy = x.map((i) => 1 + (i % 2 === 0 ? 0.5 : -0.5));
    const png = renderLossCurvePng(
      [
        { name: 'total', x, y: noisy },
        { name: 'rpn/objectness', x, y: x.map(() => 0.25) },
      ],
      400,
      200,
    );
    const image = decodeImagePixels(png);
    const at = (px: number, py: number) =>
      Array.from(image.data.subarray((py * 400 + px) * 3, (py * 400 + px) * 3 + 3));
    // Plot 390 - 40 = 350 px wide, 200 - 32 = 168 px high, y max = 1.5: the mean (1.0) at
    // y = 12 + 168 / 3 = 68, in black; the raw extremes (0.5 and 1.5) in pale grey.
    const column = Array.from({ length: 168 }, (_, k) => at(200, 12 + k));
    const rowsOf = (rgb: readonly number[]) =>
      column.flatMap((pixel, k) => (pixel.join() === rgb.join() ? [12 + k] : []));
    expect(rowsOf(SERIES_COLORS[0]!).every((row) => Math.abs(row - 68) <= 2)).toBe(true);
    expect(rowsOf(SERIES_COLORS[0]!).length).toBeGreaterThan(0);
    expect(rowsOf([191, 191, 191]).length).toBeGreaterThan(100);
    // The legend: a swatch of each series' colour in the top-right corner.
    const legend = (rgb: readonly number[]) => {
      let n = 0;
      for (let py = 12; py < 40; py++)
        for (let px = 250; px < 390; px++) if (at(px, py).join() === rgb.join()) n++;
      return n;
    };
    expect(legend(SERIES_COLORS[0]!)).toBeGreaterThanOrEqual(63);
    expect(legend(SERIES_COLORS[1]!)).toBeGreaterThanOrEqual(63);
  });

  it('formatProgress renders a torchvision-style line, with the memory when the record has it', () => {
    expect(formatProgress(record(3, 1))).toBe(
      '[ 3/10]  eta: 0:00:11  lr: 0.02000  loss: 1.0000  rpn/objectness: 0.2500  roiHeads/classification: 0.7500  time: 1.500 s/it',
    );
    expect(formatProgress({ ...record(3, 1), memory: { rssMegabytes: 812.6, tensors: 420 } })).toMatch(
      / time: 1\.500 s\/it {2}mem: 813 MB$/,
    );
  });
});
