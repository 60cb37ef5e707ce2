import type { ArchitectureName, CreateDetectorOptions, ModelRecord } from '@rcnn/models';
import { CliError } from './command';
import { MODEL_FLAGS } from './model-flags';

/** What a command builds: the preset and its options, once a weights file's record is applied. */
export interface ResolvedModel {
  readonly architecture: ArchitectureName;
  readonly options: CreateDetectorOptions;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The model a weights file's record describes, with the command line on top: `--arch` may be
 * left out (the record's), the record's options are the defaults and flags override them,
 * except that a flag contradicting an option that shapes the weights (`--num-classes`,
 * `--fpn-out-channels`, ...) or another `--arch` is a usage error.
 * @param source how to name the weights file in messages (`--weights FILE`)
 * @throws CliError exit 2 for a contradiction, exit 1 for a record option no flag knows
 */
export function applyModelRecord(
  record: ModelRecord,
  architecture: ArchitectureName | undefined,
  given: CreateDetectorOptions,
  source: string,
  command: string,
): ResolvedModel {
  if (architecture !== undefined && architecture !== record.architecture) {
    throw new CliError(
      `${command}: --arch ${architecture} contradicts ${source}, whose model record says ${record.architecture} (leave --arch out)`,
      2,
    );
  }
  const known = new Map(MODEL_FLAGS.map((entry) => [entry.key as string, entry]));
  for (const key of Object.keys(record.options)) {
    if (!known.has(key)) {
      throw new CliError(
        `${command}: ${source}: its model record has option "${key}", which this rcnn does not know (a newer rcnn wrote it?)`,
        1,
      );
    }
  }
  for (const entry of MODEL_FLAGS) {
    const recorded = record.options[entry.key];
    const wanted = given[entry.key];
    if (entry.shapesWeights && recorded !== undefined && wanted !== undefined && !same(recorded, wanted)) {
      throw new CliError(
        `${command}: --${entry.flag} ${[wanted].flat().join(',')} contradicts ${source}, whose model record says ${[recorded].flat().join(',')} (leave --${entry.flag} out)`,
        2,
      );
    }
  }
  return { architecture: record.architecture, options: { ...record.options, ...given } };
}

/**
 * The record of a model trained by `rcnn train`: its preset options with the class (and
 * keypoint) counts of the training set, and the set's category names and ids.
 */
export function trainedModelRecord(
  architecture: ArchitectureName,
  options: CreateDetectorOptions,
  spec: {
    readonly numClasses: number;
    readonly numKeypoints: number;
    readonly labelMap: { readonly categoryIds: readonly number[]; readonly names: readonly string[] };
  },
): ModelRecord {
  const keypoints = architecture.startsWith('keypointrcnn') ? { numKeypoints: spec.numKeypoints } : {};
  return {
    architecture,
    options: { ...options, numClasses: spec.numClasses, ...keypoints },
    categoryNames: spec.labelMap.names,
    categoryIds: spec.labelMap.categoryIds,
  };
}
