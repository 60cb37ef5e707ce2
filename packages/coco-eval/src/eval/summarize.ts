import { CocoFormatError } from '../errors';
import { formatFixed } from '../numeric/format-fixed';
import { numpySum } from '../numeric/numpy-sum';
import type { Accumulation } from './accumulate';
import type { EvalParams } from './params';

/** The 12 (bbox/segm) or 10 (keypoints) COCO numbers and the lines pycocotools prints for them. */
export interface Summary {
  stats: number[];
  lines: string[];
}

interface Query {
  ap: boolean;
  iouThr?: number;
  areaRng?: string;
  maxDets: number;
}

/**
 * pycocotools `summarize()`: each stat is the mean of the entries > -1 of one slice of
 * precision (AP) or recall (AR), -1 when none; means use numpy's pairwise summation.
 * bbox/segm read maxDets[0..2] (AP@[.5:.95] always uses maxDets=100, as pycocotools
 * does); keypoints use maxDets=20 throughout.
 */
export function summarizeAccumulation(accumulation: Accumulation, params: EvalParams): Summary {
  const queries: Query[] =
    params.iouType === 'keypoints' ? keypointQueries() : detectionQueries(params.maxDets);
  const stats: number[] = [];
  const lines: string[] = [];
  for (const query of queries) {
    const value = summarizeOne(accumulation, params, query);
    stats.push(value);
    lines.push(summaryLine(params, query, value));
  }
  return { stats, lines };
}

function detectionQueries(maxDets: number[]): Query[] {
  if (maxDets.length < 3) {
    throw new CocoFormatError(
      `summarize() needs 3 maxDets for bbox/segm (pycocotools reads maxDets[2]), got [${maxDets}]`,
      'params.maxDets',
    );
  }
  const [one, few, many] = maxDets;
  return [
    { ap: true, maxDets: 100 },
    { ap: true, iouThr: 0.5, maxDets: many },
    { ap: true, iouThr: 0.75, maxDets: many },
    { ap: true, areaRng: 'small', maxDets: many },
    { ap: true, areaRng: 'medium', maxDets: many },
    { ap: true, areaRng: 'large', maxDets: many },
    { ap: false, maxDets: one },
    { ap: false, maxDets: few },
    { ap: false, maxDets: many },
    { ap: false, areaRng: 'small', maxDets: many },
    { ap: false, areaRng: 'medium', maxDets: many },
    { ap: false, areaRng: 'large', maxDets: many },
  ];
}

function keypointQueries(): Query[] {
  return [
    { ap: true, maxDets: 20 },
    { ap: true, maxDets: 20, iouThr: 0.5 },
    { ap: true, maxDets: 20, iouThr: 0.75 },
    { ap: true, maxDets: 20, areaRng: 'medium' },
    { ap: true, maxDets: 20, areaRng: 'large' },
    { ap: false, maxDets: 20 },
    { ap: false, maxDets: 20, iouThr: 0.5 },
    { ap: false, maxDets: 20, iouThr: 0.75 },
    { ap: false, maxDets: 20, areaRng: 'medium' },
    { ap: false, maxDets: 20, areaRng: 'large' },
  ];
}

/** The slice's entries > -1 in numpy's C order (t, r, k, (a, m) pairs), then their mean. */
function summarizeOne(accumulation: Accumulation, params: EvalParams, query: Query): number {
  const [T, R, K, A, M] = accumulation.counts;
  const areaIndices = indicesOf(params.areaRngLbl, query.areaRng ?? 'all');
  const maxDetIndices = indicesOf(params.maxDets, query.maxDets);
  const pairs = broadcastPairs(areaIndices, maxDetIndices);
  const thresholds =
    query.iouThr === undefined ? [...Array(T).keys()] : indicesOf(params.iouThrs, query.iouThr);
  const source = query.ap ? accumulation.precision : accumulation.recall;
  const recallSteps = query.ap ? R : 1;
  // Offset of (a, m) within a (t, r, k) block, per pair; plain index loops below.
  const pairOffsets = Int32Array.from(pairs.map(([a, m]) => a * M + m));
  const values = new Float64Array(thresholds.length * recallSteps * K * pairOffsets.length);
  let count = 0;
  for (let ti = 0; ti < thresholds.length; ti++) {
    for (let r = 0; r < recallSteps; r++) {
      const blockStart = (query.ap ? thresholds[ti] * R + r : thresholds[ti]) * K * A * M;
      count = collectAboveMinusOne(source, blockStart, K, A * M, pairOffsets, values, count);
    }
  }
  return count === 0 ? -1 : numpySum(values, 0, count) / count;
}

/** Appends the entries > -1 of K blocks of `blockSize` at the given offsets, in order. */
function collectAboveMinusOne(
  source: Float64Array,
  start: number,
  K: number,
  blockSize: number,
  offsets: Int32Array,
  out: Float64Array,
  count: number,
): number {
  for (let k = 0; k < K; k++) {
    const block = start + k * blockSize;
    for (let p = 0; p < offsets.length; p++) {
      const value = source[block + offsets[p]];
      if (value > -1) out[count++] = value;
    }
  }
  return count;
}

function indicesOf<T>(list: readonly T[], wanted: T): number[] {
  const found: number[] = [];
  list.forEach((value, i) => {
    if (value === wanted) found.push(i);
  });
  return found;
}

/** numpy's pairing of two index lists `s[..., aind, mind]`: zipped, a length-1 list broadcast. */
function broadcastPairs(areas: number[], maxDets: number[]): [number, number][] {
  if (areas.length === 1) return maxDets.map((m) => [areas[0], m]);
  if (maxDets.length === 1) return areas.map((a) => [a, maxDets[0]]);
  if (areas.length !== maxDets.length) {
    throw new CocoFormatError(
      `area labels (${areas.length}) and maxDets (${maxDets.length}) repeat unevenly`,
      'params.areaRngLbl',
    );
  }
  return areas.map((a, i) => [a, maxDets[i]]);
}

/** ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.287' */
function summaryLine(params: EvalParams, query: Query, value: number): string {
  const title = (query.ap ? 'Average Precision' : 'Average Recall').padEnd(18);
  const kind = query.ap ? '(AP)' : '(AR)';
  const thresholds = params.iouThrs;
  const iou =
    query.iouThr === undefined
      ? `${formatFixed(thresholds[0], 2)}:${formatFixed(thresholds[thresholds.length - 1], 2)}`
      : formatFixed(query.iouThr, 2);
  const area = (query.areaRng ?? 'all').padStart(6);
  const maxDets = String(query.maxDets).padStart(3);
  return ` ${title} ${kind} @[ IoU=${iou.padEnd(9)} | area=${area} | maxDets=${maxDets} ] = ${formatFixed(value, 3)}`;
}
