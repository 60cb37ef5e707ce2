import { type CocoAnnotation, type CocoDatasetJson, segmentationToRle } from '@rcnn/coco-eval';
import { RcnnError } from '@rcnn/core';
import { createLabelMap, type LabelMap, labelsByCategoryId } from './label-map';

/** One instance to train on: box xyxy in image pixels, contiguous label, raw segmentation/keypoints. */
export interface TrainingInstance {
  readonly annotationId: number;
  readonly box: readonly [number, number, number, number];
  readonly label: number;
  /** COCO `segmentation` (polygons or RLE), checked; rasterized when the sample is loaded. */
  readonly segmentation?: unknown;
  /** `K * 3` x, y, visibility. */
  readonly keypoints?: readonly number[];
}

/** One image of the training set with its instances (crowd annotations removed). */
export interface TrainingImage {
  readonly imageId: number;
  readonly fileName: string;
  readonly width: number;
  readonly height: number;
  readonly instances: readonly TrainingInstance[];
}

/** A COCO instances file read for training. */
export interface CocoTrainingSet {
  readonly images: readonly TrainingImage[];
  readonly labelMap: LabelMap;
  /** Keypoints per instance (from the categories' `keypoints` names), 0 without keypoints. */
  readonly numKeypoints: number;
  /** Keypoint names (for the flip map), empty without keypoints. */
  readonly keypointNames: readonly string[];
  /** Whether every kept instance has a segmentation (so masks can be trained). */
  readonly hasMasks: boolean;
  /** Images skipped because no non-crowd annotation is left (torchvision's references drop them). */
  readonly skippedWithoutAnnotations: number;
  /** Crowd annotations (`iscrowd: 1`) left out, as torchvision's references do. */
  readonly crowdIgnored: number;
}

/** How far (pixels) a box may reach past the image edge before it is an error (then it is clipped). */
const EDGE_TOLERANCE = 1;

/**
 * Reads a COCO instances file for training, checking every record first: unknown category ids,
 * zero-area or out-of-image boxes, degenerate polygons and RLEs of the wrong size, keypoint arrays
 * of the wrong length. Every problem is collected; if there is any, one error lists them (file and
 * record each). Crowd annotations are left out and images without annotations skipped with a count,
 * as torchvision's references/detection do.
 * @param source name of the file, used in messages
 * @throws RcnnError `INVALID_ARGUMENT` listing the problems
 */
export function readCocoTrainingSet(json: CocoDatasetJson, source = 'instances JSON'): CocoTrainingSet {
  const problems: string[] = [];
  if (!json || !Array.isArray(json.images)) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `${source}: "images" must be a list (is this a COCO instances file?)`,
    );
  }
  const categories = json.categories ?? [];
  if (categories.length === 0) throw new RcnnError('INVALID_ARGUMENT', `${source}: "categories" is empty`);
  const labelMap = createLabelMap(categories);
  const labels = labelsByCategoryId(labelMap);
  const keypointNames =
    categories.find((c) => Array.isArray(c.keypoints) && c.keypoints.length > 0)?.keypoints ?? [];
  const numKeypoints = keypointNames.length;

  const byImage = new Map<number, CocoAnnotation[]>();
  for (const annotation of json.annotations ?? []) {
    const list = byImage.get(annotation.image_id) ?? [];
    list.push(annotation);
    byImage.set(annotation.image_id, list);
  }
  const imageIds = new Set(json.images.map((image) => image.id));
  for (const id of byImage.keys()) {
    if (!imageIds.has(id)) problems.push(`${source}: annotations name image_id ${id}, which "images" lacks`);
  }

  let crowdIgnored = 0;
  let skipped = 0;
  let allMasks = true;
  const images: TrainingImage[] = [];
  json.images.forEach((image, index) => {
    const where = `${source}: images[${index}] (id ${image.id}${image.file_name ? `, ${image.file_name}` : ''})`;
    const { width, height } = image;
    if (typeof image.file_name !== 'string' || image.file_name.length === 0) {
      problems.push(`${where}: no "file_name"`);
      return;
    }
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      (width as number) < 1 ||
      (height as number) < 1
    ) {
      problems.push(`${where}: "width" and "height" must be positive integers`);
      return;
    }
    const w = width as number;
    const h = height as number;
    const instances: TrainingInstance[] = [];
    for (const annotation of byImage.get(image.id) ?? []) {
      const at = `${source}: annotation id ${annotation.id} (image ${image.id}, ${image.file_name})`;
      if (annotation.iscrowd === 1 || annotation.iscrowd === true) {
        crowdIgnored++;
        continue;
      }
      const label = labels.get(annotation.category_id);
      if (label === undefined) {
        problems.push(`${at}: category_id ${annotation.category_id} is not in "categories"`);
        continue;
      }
      const box = checkBox(annotation.bbox, w, h);
      if (typeof box === 'string') {
        problems.push(`${at}: ${box}`);
        continue;
      }
      const segmentationProblem =
        annotation.segmentation === undefined ? undefined : checkSegmentation(annotation.segmentation, w, h);
      if (segmentationProblem) {
        problems.push(`${at}: ${segmentationProblem}`);
        continue;
      }
      if (annotation.segmentation === undefined) allMasks = false;
      let keypoints: number[] | undefined;
      if (numKeypoints > 0 && annotation.keypoints !== undefined) {
        const k = annotation.keypoints;
        if (!Array.isArray(k) || k.length !== 3 * numKeypoints || !k.every(Number.isFinite)) {
          problems.push(
            `${at}: "keypoints" must be ${3 * numKeypoints} numbers (x, y, v for ${numKeypoints} keypoints), got ${Array.isArray(k) ? k.length : typeof k}`,
          );
          continue;
        }
        keypoints = k;
      }
      instances.push({
        annotationId: annotation.id,
        box,
        label,
        ...(annotation.segmentation !== undefined ? { segmentation: annotation.segmentation } : {}),
        ...(keypoints ? { keypoints } : {}),
      });
    }
    if (instances.length === 0) {
      skipped++;
      return;
    }
    images.push({ imageId: image.id, fileName: image.file_name, width: w, height: h, instances });
  });
  if (problems.length > 0) throw datasetError(source, problems);
  const anyInstance = images.length > 0;
  return {
    images,
    labelMap,
    numKeypoints,
    keypointNames,
    hasMasks: anyInstance && allMasks,
    skippedWithoutAnnotations: skipped,
    crowdIgnored,
  };
}

/** One error listing dataset problems (the first 20 and a count of the rest). */
export function datasetError(source: string, problems: readonly string[]): RcnnError {
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
  return new RcnnError(
    'INVALID_ARGUMENT',
    `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${source}; fix them before training:\n  ${shown.join('\n  ')}${more}`,
  );
}

/** COCO `[x, y, w, h]` -> xyxy clipped to the image, or what is wrong with it. */
function checkBox(bbox: unknown, width: number, height: number): [number, number, number, number] | string {
  if (
    !Array.isArray(bbox) ||
    bbox.length !== 4 ||
    !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    return '"bbox" must be 4 finite numbers [x, y, width, height]';
  }
  const [x, y, w, h] = bbox as number[];
  if (!(w > 0) || !(h > 0)) return `zero-area box [${bbox.join(', ')}] (width and height must be > 0)`;
  const t = EDGE_TOLERANCE;
  if (x < -t || y < -t || x + w > width + t || y + h > height + t) {
    return `box [${bbox.join(', ')}] reaches outside the ${width}x${height} image`;
  }
  const box: [number, number, number, number] = [
    Math.max(0, x),
    Math.max(0, y),
    Math.min(width, x + w),
    Math.min(height, y + h),
  ];
  if (!(box[2] > box[0]) || !(box[3] > box[1]))
    return `box [${bbox.join(', ')}] has no area inside the image`;
  return box;
}

/** What is wrong with a segmentation (coco-eval's checks plus zero-area polygons), or undefined. */
function checkSegmentation(segmentation: unknown, width: number, height: number): string | undefined {
  try {
    const rle = segmentationToRle(segmentation, height, width);
    if (rle.height !== height || rle.width !== width) {
      return `RLE segmentation is ${rle.height}x${rle.width} but the image is ${height}x${width}`;
    }
  } catch (error) {
    return `degenerate segmentation: ${(error as Error).message}`;
  }
  if (Array.isArray(segmentation)) {
    for (const [i, polygon] of (segmentation as number[][]).entries()) {
      if (polygonArea(polygon) === 0) return `degenerate segmentation: polygon ${i} has zero area`;
    }
  }
  return undefined;
}

function polygonArea(polygon: readonly number[]): number {
  let twice = 0;
  const n = polygon.length / 2;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    twice += polygon[2 * i] * polygon[2 * j + 1] - polygon[2 * j] * polygon[2 * i + 1];
  }
  return Math.abs(twice) / 2;
}
