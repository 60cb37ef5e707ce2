import { CocoFormatError } from '../errors';
import type { Rle } from '../mask/rle';
import { rleArea, rleToBbox } from '../mask/rle';
import { isRleJson, rleFromJson } from '../mask/rle-json';
import type { CocoAnnotation, CocoImage } from '../types';
import { checkArray, checkNumber, checkNumberList, checkObject } from './check-fields';

/** Which of loadRes' branches the whole results list goes through. */
export type ResultsKind = 'bbox' | 'segm' | 'keypoints' | 'empty';

/** Annotations derived from a results list, plus the masks already decoded on the way. */
export interface LoadedResults {
  kind: ResultsKind;
  annotations: CocoAnnotation[];
  decodedMasks: Map<CocoAnnotation, Rle>;
}

/**
 * Turns a results list into annotations exactly as pycocotools `COCO.loadRes`: the
 * *first* result picks one branch for all. bbox: `area = w*h`, a missing segmentation
 * becomes the box polygon. segm (no bbox): `area` and `bbox` from the RLE. keypoints
 * only: `bbox`/`area` from the extent of all keypoints. Ids are `index + 1`; inputs are
 * not mutated. An empty list is allowed (pycocotools fails on it) and evaluates as no detections.
 * Refused although pycocotools would go on (with a wrong score or a Python error later):
 * an RLE whose `size` is not its image's `[height, width]` (when `images` gives it), a
 * polygon without a `bbox` (loadRes takes area and box from an RLE), keypoints that are
 * not numbers (e.g. all `null`); each error names the result's index and image_id.
 * @param images the ground-truth images by id, for their sizes (optional)
 * @throws CocoFormatError for non-lists, missing or mistyped fields, unknown image ids
 */
export function loadResultAnnotations(
  results: unknown,
  imageIds: ReadonlySet<number>,
  images?: ReadonlyMap<number, CocoImage>,
): LoadedResults {
  const list = checkArray(results, 'results');
  const decodedMasks = new Map<CocoAnnotation, Rle>();
  if (list.length === 0) return { kind: 'empty', annotations: [], decodedMasks };
  const kind = resultsKind(checkObject(list[0], 'results[0]'));
  const annotations = new Array<CocoAnnotation>(list.length);
  for (let index = 0; index < list.length; index++) {
    const result = list[index] as Record<string, unknown>;
    const path = `results[${index}]`;
    if (
      !isFiniteNumber(result?.image_id) ||
      !isFiniteNumber(result.category_id) ||
      !isFiniteNumber(result.score)
    ) {
      checkObject(result, path);
      for (const field of ['image_id', 'category_id', 'score']) checkNumber(result, field, path);
    }
    if (!imageIds.has(result.image_id as number)) {
      throw new CocoFormatError(
        `image_id ${result.image_id} is not an image of the ground truth; results must name ground-truth images`,
        path,
      );
    }
    // A fixed-shape template, then the result's own fields: much faster than a spread copy
    // that gains properties afterwards (V8 keeps one hidden class for all of them).
    let annotation: CocoAnnotation;
    if (kind === 'bbox') {
      const box = result.bbox;
      if (!isBox(box)) checkNumberList(box, `${path}.bbox`, { length: 4 });
      const [x, y, width, height] = box as number[];
      annotation = Object.assign(boxTemplate(), result) as CocoAnnotation;
      if (annotation.segmentation === undefined) {
        annotation.segmentation = [[x, y, x, y + height, x + width, y + height, x + width, y]];
      }
      annotation.area = width * height;
      annotation.iscrowd = 0;
    } else if (kind === 'segm') {
      if (result.segmentation === undefined) throw new CocoFormatError('missing "segmentation"', path);
      checkResultSegmentation(result, index, kind, undefined); // polygons first: rleFromJson would only say "not an RLE"
      const rle = rleFromJson(result.segmentation, `${path}.segmentation`);
      annotation = Object.assign(boxTemplate(), result) as CocoAnnotation;
      decodedMasks.set(annotation, rle);
      annotation.area = rleArea(rle);
      if (result.bbox === undefined) annotation.bbox = rleToBbox(rle);
      else checkNumberList(result.bbox, `${path}.bbox`, { length: 4 });
      annotation.iscrowd = 0;
    } else {
      const keypoints = checkResultKeypoints(result, index);
      const [x0, x1] = extent(keypoints, 0);
      const [y0, y1] = extent(keypoints, 1);
      annotation = Object.assign(keypointTemplate(), result) as CocoAnnotation;
      annotation.area = (x1 - x0) * (y1 - y0);
      annotation.bbox = [x0, y0, x1 - x0, y1 - y0];
    }
    checkResultSegmentation(result, index, kind, images);
    annotation.id = index + 1;
    annotations[index] = annotation;
  }
  return { kind, annotations, decodedMasks };
}

/** `results[i] (image_id n)`: how errors name a result. */
function resultName(index: number, result: Record<string, unknown>): string {
  return `results[${index}] (image_id ${result.image_id})`;
}

/** The RLE-size and polygon-without-bbox checks of loadResultAnnotations. */
function checkResultSegmentation(
  result: Record<string, unknown>,
  index: number,
  kind: ResultsKind,
  images: ReadonlyMap<number, CocoImage> | undefined,
): void {
  const segmentation = result.segmentation;
  if (segmentation === undefined) return;
  if (isRleJson(segmentation)) {
    const image = images?.get(result.image_id as number);
    const size = segmentation.size;
    if (image?.height !== undefined && image.width !== undefined && Array.isArray(size)) {
      if (size[0] !== image.height || size[1] !== image.width) {
        throw new CocoFormatError(
          `the RLE's size [${size.join(', ')}] is not its image's [${image.height}, ${image.width}] ` +
            '([height, width]); encode each mask at the size of the image it belongs to',
          `${resultName(index, result)}.segmentation.size`,
        );
      }
    }
  } else if (kind === 'segm' && Array.isArray(segmentation)) {
    throw new CocoFormatError(
      'a polygon segmentation needs a "bbox" too: without one, loadRes takes area and bbox from an ' +
        'RLE ({"size", "counts"}), which this result does not have',
      `${resultName(index, result)}.segmentation`,
    );
  }
}

/** The keypoints of a keypoints-only result: numbers, a non-empty multiple of 3. */
function checkResultKeypoints(result: Record<string, unknown>, index: number): number[] {
  const path = `${resultName(index, result)}.keypoints`;
  const values = result.keypoints;
  if (Array.isArray(values) && values.length > 0 && values.every((value) => value === null)) {
    throw new CocoFormatError(
      `all ${values.length} values are null; keypoints must be numbers (x, y, visibility triples)`,
      path,
    );
  }
  const keypoints = checkNumberList(values, path, { multipleOf: 3 });
  if (keypoints.length === 0) throw new CocoFormatError('"keypoints" is empty', resultName(index, result));
  return keypoints;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isBox(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length === 4 &&
    isFiniteNumber(value[0]) &&
    isFiniteNumber(value[1]) &&
    isFiniteNumber(value[2]) &&
    isFiniteNumber(value[3])
  );
}

function boxTemplate(): Record<string, unknown> {
  return {
    id: 0,
    image_id: 0,
    category_id: 0,
    bbox: undefined,
    score: 0,
    segmentation: undefined,
    area: 0,
    iscrowd: 0,
  };
}

function keypointTemplate(): Record<string, unknown> {
  return { id: 0, image_id: 0, category_id: 0, keypoints: undefined, score: 0, bbox: undefined, area: 0 };
}

function resultsKind(first: Record<string, unknown>): ResultsKind {
  if ('caption' in first) throw new CocoFormatError('caption results are not supported', 'results[0]');
  const box = first.bbox;
  if (box !== undefined && !(Array.isArray(box) && box.length === 0)) return 'bbox';
  if (first.segmentation !== undefined) return 'segm';
  if (first.keypoints !== undefined) return 'keypoints';
  throw new CocoFormatError(
    'the first result has none of "bbox", "segmentation", "keypoints" (it decides the format of all)',
    'results[0]',
  );
}

/** Min and max of every third value from `offset` (np.min / np.max of s[offset::3]). */
function extent(values: number[], offset: number): [number, number] {
  let low = values[offset];
  let high = values[offset];
  for (let i = offset + 3; i < values.length; i += 3) {
    if (values[i] < low) low = values[i];
    if (values[i] > high) high = values[i];
  }
  return [low, high];
}
