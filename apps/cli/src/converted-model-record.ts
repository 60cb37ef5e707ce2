import type { StateDict } from '@rcnn/core';
import {
  type ArchitectureName,
  type CreateDetectorOptions,
  categoryNamesFor,
  type ModelRecord,
} from '@rcnn/models';
import { CliError } from './command';

/** What `rcnn convert` knows about the model it saves. */
export interface ConvertedModel {
  readonly architecture: ArchitectureName;
  /** The options the detector was built with: the input's record with the flags on top, or the flags alone. */
  readonly options: CreateDetectorOptions;
  /** The input file's record, if it has one. */
  readonly record: ModelRecord | undefined;
  /** The input file's safetensors metadata (`rcnn.train` of an `rcnn train` checkpoint). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The weights as saved (torch layout): class and keypoint counts are read from them. */
  readonly stateDict: StateDict;
  /** `--category-names`, split at commas. */
  readonly categoryNames: readonly string[] | undefined;
}

const CLASS_ENTRY = 'roi_heads.box_predictor.cls_score.weight';
/** ConvTranspose2d weight in torch layout: [in, keypoints, kh, kw]. */
const KEYPOINT_ENTRY = 'roi_heads.keypoint_predictor.kps_score_lowres.weight';

/** `--category-names a,b,c`: one name per class, background excluded. @throws CliError exit 2 */
export function parseCategoryNames(text: string | undefined, command: string): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) {
    throw new CliError(
      `${command}: --category-names must be comma-separated non-empty names, got '${text}'`,
      2,
    );
  }
  return names;
}

/** The label map (`{ categoryIds, names }`) of an `rcnn train` checkpoint's `rcnn.train` metadata. */
function trainingLabelMap(
  metadata: Readonly<Record<string, string>>,
): { categoryIds?: unknown; names?: unknown } | undefined {
  try {
    const state = JSON.parse(metadata['rcnn.train'] ?? 'null') as { labelMap?: unknown } | null;
    const map = state?.labelMap;
    return typeof map === 'object' && map !== null ? map : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model record `rcnn convert` writes: the architecture and options, with the class (and
 * keypoint) counts of the weights; names from `--category-names`, else the input's record, else
 * an `rcnn train` checkpoint's label map, else COCO's for torchvision's layouts, else the label
 * numbers; category ids from the record or the label map.
 * @returns the record, and a note for the user when the names are only numbers
 * @throws CliError exit 2 when `--category-names` has the wrong count
 */
export function convertedModelRecord(
  model: ConvertedModel,
  command: string,
): { record: ModelRecord; note?: string } {
  const numClasses = model.stateDict.get(CLASS_ENTRY)?.shape[0] ?? model.options.numClasses ?? 91;
  const keypoints = model.architecture.startsWith('keypointrcnn')
    ? { numKeypoints: model.stateDict.get(KEYPOINT_ENTRY)?.shape[1] ?? model.options.numKeypoints ?? 17 }
    : {};
  const options = { ...model.options, numClasses, ...keypoints };
  const count = numClasses - 1;
  const labelMap = trainingLabelMap(model.metadata);
  const fits = (list: unknown): list is unknown[] => Array.isArray(list) && list.length === count;
  const ids = model.record?.categoryIds ?? (fits(labelMap?.categoryIds) ? labelMap.categoryIds : undefined);
  const withIds = (names: readonly string[]) => ({
    architecture: model.architecture,
    options,
    categoryNames: names,
    ...(ids ? { categoryIds: ids as number[] } : {}),
  });
  if (model.categoryNames) {
    if (model.categoryNames.length !== count) {
      throw new CliError(
        `${command}: --category-names has ${model.categoryNames.length} names, but the model has ${count} classes besides background`,
        2,
      );
    }
    return { record: withIds(model.categoryNames) };
  }
  if (model.record) return { record: withIds(model.record.categoryNames) };
  if (fits(labelMap?.names)) return { record: withIds(labelMap.names.map(String)) };
  const coco = categoryNamesFor(numClasses, model.architecture.startsWith('keypointrcnn'));
  if (coco) return { record: withIds(coco.slice(1)) };
  return {
    record: withIds(Array.from({ length: count }, (_, i) => String(i + 1))),
    note: `the class names are unknown, so the record names them 1..${count}: give --category-names`,
  };
}
