import { encodePng, forEachTextPixel, measureText } from '@rcnn/core';

/** One line of the plot: y values at x positions, and its name in the legend. */
export interface PlotSeries {
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly name?: string;
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

/**
 * Draws loss curves as a PNG: white background, axes from 0 to the largest iteration and to
 * the 98th-percentile loss (one early spike does not flatten the rest), the y maximum and x
 * maximum written at the axis ends. Each series is drawn raw in a pale tint of its colour
 * ({@link SERIES_COLORS}) and, when long enough to be noisy, as its moving average (over 2%
 * of the points) in full colour on top; named series get a legend.
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
  const text = (value: string, x: number, y: number, color: readonly number[] = [0, 0, 0]) =>
    forEachTextPixel(value, x, y, 1, (px, py) => put(px, py, color));
  const gray = [160, 160, 160];
  line(margin.left, margin.top, margin.left, margin.top + plotH, gray);
  line(margin.left, margin.top + plotH, margin.left + plotW, margin.top + plotH, gray);
  text(formatNumber(yMax), 2, margin.top - 3);
  text('0', margin.left - 8, margin.top + plotH - 6);
  const xLabel = String(Math.round(xMax));
  text(xLabel, margin.left + plotW - measureText(xLabel).width, margin.top + plotH + 6);
  text(
    'ITERATION',
    Math.round(margin.left + (plotW - measureText('ITERATION').width) / 2),
    margin.top + plotH + 6,
  );
  const toPixel = (x: number, y: number): [number, number] => [
    Math.round(margin.left + (x / xMax) * plotW),
    Math.round(margin.top + plotH - (Math.min(Math.max(y, 0), yMax) / yMax) * plotH),
  ];
  const polyline = (xs: readonly number[], ys: readonly number[], color: readonly number[]) => {
    let previous: [number, number] | undefined;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(ys[i])) {
        previous = undefined;
        continue;
      }
      const point = toPixel(xs[i], ys[i]);
      if (previous) line(previous[0], previous[1], point[0], point[1], color);
      else put(point[0], point[1], color);
      previous = point;
    }
  };
  const window = (s: PlotSeries) => Math.floor(s.x.length / 50);
  // Pale raw values under every smoothed line, so no series' noise hides another's trend.
  series.forEach((s, index) => {
    const color = SERIES_COLORS[index % SERIES_COLORS.length];
    polyline(s.x, s.y, window(s) > 1 ? tint(color) : color);
  });
  series.forEach((s, index) => {
    if (window(s) > 1)
      polyline(s.x, movingAverage(s.y, window(s)), SERIES_COLORS[index % SERIES_COLORS.length]);
  });
  // Legend in the top-right corner: a colour swatch and the name per named series.
  const named = series.map((s, index) => [s.name, index] as const).filter(([name]) => name !== undefined);
  const legendWidth = Math.max(0, ...named.map(([name]) => measureText(name!).width)) + 14;
  named.forEach(([name, index], row) => {
    const color = SERIES_COLORS[index % SERIES_COLORS.length];
    const x = margin.left + plotW - legendWidth;
    const y = margin.top + 4 + row * 10;
    for (let dy = 0; dy < 7; dy++) for (let dx = 0; dx < 9; dx++) put(x + dx, y + dy, color);
    text(name!, x + 13, y, color);
  });
  return encodePng(pixels, width, height);
}

/** Pale version of a colour (a quarter of it over white). */
function tint(color: readonly number[]): number[] {
  return color.map((channel) => Math.round(255 - (255 - channel) * 0.25));
}

/** Trailing mean over up to `window` finite values (fewer at the start); NaN where none. */
function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      sum += values[i]!;
      count++;
    }
    const leaving = i - window;
    if (leaving >= 0 && Number.isFinite(values[leaving])) {
      sum -= values[leaving]!;
      count--;
    }
    out.push(count > 0 ? sum / count : Number.NaN);
  }
  return out;
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
    name,
    x,
    y: records.map((r) => (name === 'total' ? r.total : (r.losses[name] ?? Number.NaN))),
  }));
  return { names, series };
}
