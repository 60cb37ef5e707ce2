import type { CompressedRle } from '@rcnn/core';
import type { LabelMap } from '@rcnn/train';
import { CliError } from './command';
import type { ImageResult, InstanceJson } from './commands/predict-json';
import type { NamedPath } from './output-files';

/** One detection in COCO's results format (what pycocotools' `COCO.loadRes` reads). */
export interface CocoResult {
  image_id: number;
  category_id: number;
  /** `[x, y, width, height]` in the image's pixels. */
  bbox: [number, number, number, number];
  score: number;
  /** The binary mask as compressed RLE (`size` = `[height, width]`), for Mask R-CNN. */
  segmentation?: CompressedRle;
  /** `[x1, y1, v1, x2, y2, v2, ...]` with `v` = 1 (torchvision's), for keypoint R-CNN. */
  keypoints?: number[];
}

/**
 * How the model's labels become COCO category ids. With `modelIds` (the weights' model
 * record's `categoryIds`), label `i` is `modelIds[i - 1]`; ground truth, if given, must have
 * those categories. Otherwise: without ground truth (`labelMap` undefined) a label is its category id (torchvision's 91-class COCO layout). With ground
 * truth: when the model has one class per ground-truth category plus background, label `i`
 * is the `i`-th category id in ascending order (the label map `@rcnn/train` saves in its
 * checkpoints); when it has more classes than the largest category id (torchvision's COCO
 * weights against COCO's instances.json), labels are category ids.
 * @throws CliError when the model's class count fits neither, or ground truth lacks a recorded id
 */
export function categoryIdMapper(
  numClasses: number,
  labelMap: LabelMap | undefined,
  command: string,
  modelIds?: readonly number[],
): (label: number) => number {
  if (modelIds) {
    const missing = labelMap ? modelIds.filter((id) => !labelMap.categoryIds.includes(id)) : [];
    if (missing.length > 0) {
      throw new CliError(
        `${command}: the weights' model record has category ids ${missing.join(', ')}, which --coco-gt does not have: it was trained on another dataset`,
        1,
      );
    }
    return (label) => modelIds[label - 1]!;
  }
  if (!labelMap) return (label) => label;
  const ids = labelMap.categoryIds;
  if (numClasses === ids.length + 1) return (label) => ids[label - 1]!;
  const largest = ids.length === 0 ? 0 : ids[ids.length - 1]!;
  if (numClasses > largest) return (label) => label;
  throw new CliError(
    `${command}: the model has ${numClasses} classes (with background) but --coco-gt has ${ids.length} categories ` +
      `(ids up to ${largest}): train on that dataset or pass --num-classes ${ids.length + 1}`,
    1,
  );
}

/** Four decimals, as predict's JSON. */
function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/**
 * One image's detections (predict's JSON entries, boxes in the file's pixels) in COCO results
 * format, in the same order.
 */
export function toCocoResults(
  imageId: number,
  instances: readonly InstanceJson[],
  categoryIdOf: (label: number) => number,
): CocoResult[] {
  return instances.map((instance) => {
    const [x1, y1, x2, y2] = instance.box;
    const result: CocoResult = {
      image_id: imageId,
      category_id: categoryIdOf(instance.label),
      bbox: [x1, y1, round(x2 - x1), round(y2 - y1)],
      score: instance.score,
    };
    if (instance.mask) result.segmentation = instance.mask;
    if (instance.keypoints) result.keypoints = instance.keypoints.flatMap(([x, y]) => [x, y, 1]);
    return result;
  });
}

/**
 * The JSON outputs asked for: `--out-json` (predict's own list) and `--coco-results`.
 * @throws CliError exit code 2 when neither is given
 */
export function jsonOutputsOf(options: Record<string, unknown>, command: string): NamedPath[] {
  const outputs = (['out-json', 'coco-results'] as const).flatMap((name) =>
    typeof options[name] === 'string' ? [{ option: `--${name}`, path: options[name] }] : [],
  );
  if (outputs.length === 0)
    throw new CliError(`${command}: missing --out-json FILE or --coco-results FILE`, 2);
  return outputs;
}

/**
 * The text of one JSON output: predict's list for `--out-json`; for `--coco-results` every
 * detection as a COCO result, the image ids taken from `imageIds` by each result's index.
 */
export function resultsJson(
  output: NamedPath,
  batch: { readonly results: readonly ImageResult[]; readonly indices: readonly number[] },
  imageIds: readonly number[],
  categoryIdOf: (label: number) => number,
): string {
  const list =
    output.option === '--coco-results'
      ? batch.results.flatMap((result, k) =>
          toCocoResults(imageIds[batch.indices[k]!]!, result.instances, categoryIdOf),
        )
      : batch.results;
  return `${JSON.stringify(list)}\n`;
}
