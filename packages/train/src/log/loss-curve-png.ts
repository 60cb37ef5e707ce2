import { encodePng } from '@rcnn/core';

/** One line of the plot: y values at x positions. */
export interface PlotSeries {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** Line colours in series order (total first): black, then a colour-blind-safe palette. */
export const SERIES_COLORS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [0, 114, 178],
  [230, 159, 0],
  [0, 158, 115],
  [204, 121, 167],
  [213, 94, 0],
  [86, 180, 233],
  [240, 228, 66],
];

// 3x5 glyphs for axis labels, one row per 3-bit number, top to bottom.
const GLYPHS: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 7, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 1, 1, 1],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '.': [0, 0, 0, 0, 2],
  '-': [0, 0, 7, 0, 0],
  e: [0, 7, 7, 4, 7],
};

/**
 * Draws loss curves as a PNG (white background, axes from 0 to the largest iteration and to the
 * 98th-percentile loss so one early spike does not flatten the rest; the y maximum and x maximum
 * written at the axis ends). Series are coloured by {@link SERIES_COLORS}.
 * @returns PNG bytes
 */
export function renderLossCurvePng(series: readonly PlotSeries[], width = 640, height = 360): Uint8Array {
  const pixels = new Uint8Array(width * height * 3).fill(255);
  const margin = { left: 40, right: 10, top: 12, bottom: 20 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = series.flatMap((s) => s.x);
  const ys = series
    .flatMap((s) => s.y)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const xMax = Math.max(1, ...xs);
  const yMax = ys.length > 0 ? Math.max(ys[Math.min(ys.length - 1, Math.floor(ys.length * 0.98))], 1e-12) : 1;
  const put = (x: number, y: number, [r, g, b]: readonly number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 3;
    pixels[i] = r;
    pixels[i + 1] = g;
    pixels[i + 2] = b;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, color: readonly number[]) => {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let s = 0; s <= steps; s++) {
      const x = Math.round(x0 + ((x1 - x0) * s) / steps);
      const y = Math.round(y0 + ((y1 - y0) * s) / steps);
      put(x, y, color);
      put(x, y + 1, color);
    }
  };
  const text = (value: string, x: number, y: number) => {
    for (const [k, char] of [...value].entries()) {
      const rows = GLYPHS[char] ?? [0, 0, 0, 0, 0];
      rows.forEach((bits, row) => {
        for (let col = 0; col < 3; col++) if (bits & (4 >> col)) put(x + k * 4 + col, y + row, [0, 0, 0]);
      });
    }
  };
  const gray = [160, 160, 160];
  line(margin.left, margin.top, margin.left, margin.top + plotH, gray);
  line(margin.left, margin.top + plotH, margin.left + plotW, margin.top + plotH, gray);
  text(formatNumber(yMax), 2, margin.top - 2);
  text('0', margin.left - 6, margin.top + plotH - 4);
  const xLabel = String(Math.round(xMax));
  text(xLabel, margin.left + plotW - xLabel.length * 4, margin.top + plotH + 6);
  const toPixel = (x: number, y: number): [number, number] => [
    Math.round(margin.left + (x / xMax) * plotW),
    Math.round(margin.top + plotH - (Math.min(Math.max(y, 0), yMax) / yMax) * plotH),
  ];
  series.forEach((s, index) => {
    const color = SERIES_COLORS[index % SERIES_COLORS.length];
    let previous: [number, number] | undefined;
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.y[i])) {
        previous = undefined;
        continue;
      }
      const point = toPixel(s.x[i], s.y[i]);
      if (previous) line(previous[0], previous[1], point[0], point[1], color);
      else put(point[0], point[1], color);
      previous = point;
    }
  });
  return encodePng(pixels, width, height);
}

function formatNumber(value: number): string {
  return value >= 0.01 && value < 1000 ? value.toPrecision(3) : value.toExponential(1).replace('+', '');
}

/** The series of {@link renderLossCurvePng} from progress records: the total first, then each term. */
export function lossSeries(
  records: readonly { iteration: number; total: number; losses: Readonly<Record<string, number>> }[],
): { names: string[]; series: PlotSeries[] } {
  const names = ['total', ...Object.keys(records[0]?.losses ?? {})];
  const x = records.map((r) => r.iteration);
  const series = names.map((name) => ({
    x,
    y: records.map((r) => (name === 'total' ? r.total : (r.losses[name] ?? Number.NaN))),
  }));
  return { names, series };
}
