import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProgressRecord } from '../loop/progress';

/**
 * Appends one CSV row per progress record: `iteration,lr,total,<each loss term>,grad_norm,seconds_per_iteration`.
 * The loss columns are those of the first record; an existing file (a resumed run) keeps its header.
 */
export class CsvLog {
  private columns: string[] | undefined;

  constructor(readonly path: string) {
    if (existsSync(path)) {
      const header = readFileSync(path, 'utf8').split('\n', 1)[0];
      if (header) this.columns = header.split(',');
    }
  }

  append(record: ProgressRecord): void {
    let prefix = '';
    if (!this.columns) {
      this.columns = [
        'iteration',
        'lr',
        'total',
        ...Object.keys(record.losses),
        'grad_norm',
        'seconds_per_iteration',
      ];
      prefix = `${this.columns.join(',')}\n`;
      mkdirSync(dirname(this.path), { recursive: true });
    }
    const value = (column: string): string => {
      switch (column) {
        case 'iteration':
          return String(record.iteration);
        case 'lr':
          return String(record.lr);
        case 'total':
          return String(record.total);
        case 'grad_norm':
          return record.gradNorm === undefined ? '' : String(record.gradNorm);
        case 'seconds_per_iteration':
          return record.secondsPerIteration.toFixed(4);
        default:
          return column in record.losses ? String(record.losses[column]) : '';
      }
    };
    // Synchronous: a row is a few dozen bytes, and an async append queued behind a busy training
    // loop was seen 700 iterations late (and lost on a kill).
    appendFileSync(this.path, `${prefix}${this.columns.map(value).join(',')}\n`);
  }
}

/** Reads a CSV written by {@link CsvLog} back as rows of numbers (NaN for empty cells). */
export function readCsvLog(text: string): { columns: string[]; rows: number[][] } {
  const lines = text.split('\n').filter((line) => line.length > 0);
  const columns = lines[0]?.split(',') ?? [];
  const rows = lines
    .slice(1)
    .map((line) => line.split(',').map((cell) => (cell === '' ? Number.NaN : Number(cell))));
  return { columns, rows };
}
