import type { EvalTables } from './eval-tables';
import { IGNORED, type ImageEvaluations } from './evaluate-images';
import type { EvalParams } from './params';

/** One pycocotools `evalImgs` entry; matrices are [T][D] and [T][G] nested lists. */
export interface EvalImageRecord {
  image_id: number;
  category_id: number;
  aRng: [number, number];
  maxDet: number;
  dtIds: number[];
  gtIds: number[];
  dtMatches: number[][];
  gtMatches: number[][];
  dtScores: number[];
  gtIgnore: number[];
  dtIgnore: number[][];
}

/**
 * Materializes the columnar evaluations as pycocotools' `evalImgs` list: ordered by
 * category, then area range, then image; null where the cell has neither gt nor dt.
 * For inspection and tests; evaluation itself never builds these objects.
 */
export function imageRecords(
  evaluations: ImageEvaluations,
  params: EvalParams,
  tables: EvalTables,
): (EvalImageRecord | null)[] {
  const { images, categoryGroups, thresholds: T, present, dtStart, dtRows, dtScores, gtStart } = evaluations;
  const records: (EvalImageRecord | null)[] = [];
  const maxDet = params.maxDets[params.maxDets.length - 1];
  for (let k = 0; k < categoryGroups; k++) {
    params.areaRng.forEach((range, a) => {
      const area = evaluations.perArea[a];
      for (let i = 0; i < images; i++) {
        const cell = i * categoryGroups + k;
        if (!present[cell]) {
          records.push(null);
          continue;
        }
        const d0 = dtStart[cell];
        const D = dtStart[cell + 1] - d0;
        const g0 = gtStart[cell];
        const G = gtStart[cell + 1] - g0;
        // [D, T] / [G, T] blocks transposed to pycocotools' [T][D] / [T][G] lists.
        const byThreshold = (start: number, width: number, value: (slot: number) => number) =>
          Array.from({ length: T }, (_, t) =>
            Array.from({ length: width }, (_, j) => value((start + j) * T + t)),
          );
        const idOf = (rows: Int32Array, ids: Float64Array) => (slot: number) =>
          rows[slot] >= 0 ? ids[rows[slot]] : 0;
        records.push({
          image_id: params.imgIds[i],
          category_id: params.useCats ? params.catIds[k] : -1,
          aRng: [range[0], range[1]],
          maxDet,
          dtIds: Array.from(dtRows.subarray(d0, d0 + D), (row) => tables.dt.ids[row]),
          gtIds: Array.from(area.gtRows.subarray(g0, g0 + G), (row) => tables.gt.ids[row]),
          dtMatches: byThreshold(d0, D, idOf(area.dtMatchRows, tables.gt.ids)),
          gtMatches: byThreshold(g0, G, idOf(area.gtMatchRows, tables.dt.ids)),
          dtScores: Array.from(dtScores.subarray(d0, d0 + D)),
          gtIgnore: Array.from(area.gtIgnore.subarray(g0, g0 + G)),
          dtIgnore: byThreshold(d0, D, (slot) => (area.outcomes[slot] === IGNORED ? 1 : 0)),
        });
      }
    });
  }
  return records;
}
