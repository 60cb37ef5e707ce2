import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProgressRecord } from '../loop/progress';

type Column = readonly [name: string, value: (record: ProgressRecord) => string];
const optional = (value: number | undefined, format: (v: number) => string = String) =>
  value === undefined ? '' : format(value);

/** The columns before the loss terms, and after them: the one list the writer and the readers use. */
const LEADING_COLUMNS: readonly Column[] = [
  ['iteration', (r) => String(r.iteration)],
  ['lr', (r) => String(r.lr)],
  ['total', (r) => String(r.total)],
];
const TRAILING_COLUMNS: readonly Column[] = [
  ['grad_norm', (r) => optional(r.gradNorm)],
  ['seconds_per_iteration', (r) => r.secondsPerIteration.toFixed(4)],
  ['rss_mb', (r) => optional(r.memory?.rssMegabytes, (v) => v.toFixed(1))],
  ['tensors', (r) => optional(r.memory?.tensors)],
];
const FIXED_COLUMNS = new Map([...LEADING_COLUMNS, ...TRAILING_COLUMNS]);

/** Whether a column of a {@link CsvLog} file holds a loss term (not iteration, lr, time, memory, ...). */
export function isLossColumn(column: string): boolean {
  return !FIXED_COLUMNS.has(column);
}

/**
 * Appends one CSV row per progress record: `iteration,lr,total,<each loss term>,grad_norm,seconds_per_iteration,rss_mb,tensors`.
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
        ...LEADING_COLUMNS.map(([name]) => name),
        ...Object.keys(record.losses),
        ...TRAILING_COLUMNS.map(([name]) => name),
      ];
      prefix = `${this.columns.join(',')}\n`;
      mkdirSync(dirname(this.path), { recursive: true });
    }
    const value = (column: string): string => {
      const fixed = FIXED_COLUMNS.get(column);
      if (fixed) return fixed(record);
      return column in record.losses ? String(record.losses[column]) : '';
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
