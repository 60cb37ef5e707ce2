import type { CocoDataset } from '../dataset/coco-dataset';
import { CocoFormatError } from '../errors';
import type { CocoAnnotation } from '../types';
import type { EvalParams } from './params';

/**
 * The annotations taking part in an evaluation, in columns (no per-pair objects):
 * row r is `annotations[r]`. Ground truth fills `crowd`/`ignore`, detections `scores`.
 */
export interface AnnotationTable {
  annotations: CocoAnnotation[];
  ids: Float64Array;
  areas: Float64Array;
  /** `[x, y, width, height]` per row (the `bbox` field), when the evaluation reads boxes. */
  boxes: Float64Array;
  scores: Float64Array;
  crowd: Uint8Array;
  /** pycocotools `_prepare`'s `ignore`: iscrowd, or for keypoints also num_keypoints == 0. */
  ignore: Uint8Array;
}

/**
 * Annotations grouped per (image, category) as pycocotools `_gts`/`_dts`: group
 * `i * categoryGroups + k` holds rows `rows[start[g] .. start[g + 1])` in file order
 * (with `useCats` false, one group per image: categories in `catIds` order).
 */
export interface Groups {
  start: Int32Array;
  rows: Int32Array;
}

/** Everything evaluate() reads: both tables and their (image, category) cells. */
export interface EvalTables {
  gt: AnnotationTable;
  dt: AnnotationTable;
  gtGroups: Groups;
  dtGroups: Groups;
  categoryGroups: number;
}

/** Builds the tables and groups evaluate() works on (pycocotools `_prepare`). */
export function buildEvalTables(
  groundTruth: CocoDataset,
  detections: CocoDataset,
  params: EvalParams,
): EvalTables {
  const imageIndex = new Map(params.imgIds.map((id, i) => [id, i]));
  const categoryIds = params.useCats ? params.catIds : [...new Set(params.catIds)];
  const categoryIndex = new Map(categoryIds.map((id, k) => [id, k]));
  const gtRows = selectRows(groundTruth, imageIndex, categoryIndex);
  const dtRows = selectRows(detections, imageIndex, categoryIndex);
  const gt = buildTable(gtRows, params, 'gt');
  const dt = buildTable(dtRows, params, 'dt');
  const images = params.imgIds.length;
  const categories = categoryIds.length;
  const cellOf = (annotation: CocoAnnotation) =>
    imageIndex.get(annotation.image_id)! * categories + categoryIndex.get(annotation.category_id)!;
  let gtGroups = groupRows(gt.annotations, images * categories, cellOf);
  let dtGroups = groupRows(dt.annotations, images * categories, cellOf);
  if (!params.useCats) {
    // One group per image, categories in catIds order (duplicates repeat, as in pycocotools).
    const order = params.catIds.map((id) => categoryIndex.get(id)!);
    gtGroups = concatenatePerImage(gtGroups, images, categories, order);
    dtGroups = concatenatePerImage(dtGroups, images, categories, order);
  }
  return { gt, dt, gtGroups, dtGroups, categoryGroups: params.useCats ? categories : 1 };
}

/**
 * Annotations of evaluated images and categories, in file order. (Without useCats
 * pycocotools loads every category of the images but only ever reads those in catIds.)
 */
function selectRows(
  dataset: CocoDataset,
  imageIndex: Map<number, number>,
  categoryIndex: Map<number, number>,
): CocoAnnotation[] {
  return dataset.annotations.filter(
    (annotation) => imageIndex.has(annotation.image_id) && categoryIndex.has(annotation.category_id),
  );
}

function buildTable(annotations: CocoAnnotation[], params: EvalParams, side: 'gt' | 'dt'): AnnotationTable {
  const count = annotations.length;
  const table: AnnotationTable = {
    annotations,
    ids: new Float64Array(count),
    areas: new Float64Array(count),
    boxes: new Float64Array(count * 4),
    scores: new Float64Array(count),
    crowd: new Uint8Array(count),
    ignore: new Uint8Array(count),
  };
  const needsBoxes = params.iouType === 'bbox' || (params.iouType === 'keypoints' && side === 'gt');
  for (let r = 0; r < count; r++) {
    const annotation = annotations[r];
    const path = `${side === 'gt' ? 'ground-truth' : 'detection'} annotation ${annotation.id}`;
    table.ids[r] = annotation.id;
    if (typeof annotation.area !== 'number') {
      throw new CocoFormatError('missing "area" (COCOeval reads it for the area ranges)', path);
    }
    table.areas[r] = annotation.area;
    if (needsBoxes) {
      const box = annotation.bbox;
      if (!box) throw new CocoFormatError(`missing "bbox" (needed for ${params.iouType} evaluation)`, path);
      table.boxes.set(box, r * 4);
    }
    if (side === 'dt') {
      if (typeof annotation.score !== 'number' || !Number.isFinite(annotation.score)) {
        throw new CocoFormatError('"score" must be a finite number', path);
      }
      table.scores[r] = annotation.score;
      continue;
    }
    const crowd = Boolean(annotation.iscrowd);
    table.crowd[r] = crowd ? 1 : 0;
    let ignore = crowd;
    if (params.iouType === 'keypoints') {
      if (typeof annotation.num_keypoints !== 'number') {
        throw new CocoFormatError(
          'missing "num_keypoints"; evaluate keypoints on the person category only (catIds)',
          path,
        );
      }
      ignore = annotation.num_keypoints === 0 || ignore;
    }
    table.ignore[r] = ignore ? 1 : 0;
  }
  return table;
}

/** Counting sort of rows into cells, keeping file order within a cell. */
function groupRows(
  annotations: CocoAnnotation[],
  cells: number,
  cellOf: (annotation: CocoAnnotation) => number,
): Groups {
  const cellOfRow = new Int32Array(annotations.length);
  const start = new Int32Array(cells + 1);
  annotations.forEach((annotation, r) => {
    const cell = cellOf(annotation);
    cellOfRow[r] = cell;
    start[cell + 1]++;
  });
  for (let c = 0; c < cells; c++) start[c + 1] += start[c];
  const fill = start.slice(0, cells);
  const rows = new Int32Array(start[cells]);
  for (let r = 0; r < annotations.length; r++) {
    rows[fill[cellOfRow[r]]++] = r;
  }
  return { start, rows };
}

function concatenatePerImage(groups: Groups, images: number, categories: number, order: number[]): Groups {
  const start = new Int32Array(images + 1);
  const rows: number[] = [];
  for (let i = 0; i < images; i++) {
    for (const k of order) {
      const cell = i * categories + k;
      for (let p = groups.start[cell]; p < groups.start[cell + 1]; p++) rows.push(groups.rows[p]);
    }
    start[i + 1] = rows.length;
  }
  return { start, rows: Int32Array.from(rows) };
}
