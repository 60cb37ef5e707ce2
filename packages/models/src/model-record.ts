import { detectWeightsFormat, RcnnError, readSafetensors } from '@rcnn/core';
import {
  type ArchitectureName,
  type CreateDetectorOptions,
  parseArchitectureName,
} from './presets/architecture-names';
import { categoryNamesFor } from './presets/coco-category-names';

/** The safetensors metadata key that holds a {@link ModelRecord} as JSON. */
export const MODEL_RECORD_KEY = 'rcnn.model';

/**
 * What model a weights file is, saved beside its weights (safetensors metadata
 * {@link MODEL_RECORD_KEY}) so that a reader needs no flags: the preset, the options it was
 * built with, and what its labels mean. Label `i + 1` is `categoryNames[i]` (0 is background).
 */
export interface ModelRecord {
  readonly architecture: ArchitectureName;
  /**
   * The scalar preset options (JSON: numbers, strings, booleans, number lists), `numClasses`
   * (with background) always included and `numKeypoints` for keypoint R-CNN.
   */
  readonly options: CreateDetectorOptions;
  /** One name per class, background excluded: `numClasses - 1` of them. */
  readonly categoryNames: readonly string[];
  /** The dataset's category id of each class (same order as the names), for COCO results. */
  readonly categoryIds?: readonly number[];
}

type Field<K extends keyof ModelRecord> = {
  readonly required: boolean;
  /** Checks one field's JSON value; throws a one-line message saying what is wrong. */
  readonly parse: (value: unknown) => ModelRecord[K];
};

function fail(message: string): never {
  throw new RcnnError('INVALID_WEIGHTS', `"${MODEL_RECORD_KEY}" record: ${message}`);
}

function isOptionValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.every((item) => typeof item === 'number' && Number.isFinite(item));
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' || typeof value === 'boolean';
}

function positiveInteger(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/** The record's fields: the one place they are named, checked and ordered. */
const FIELDS: { readonly [K in keyof ModelRecord]-?: Field<K> } = {
  architecture: {
    required: true,
    parse: (value) => {
      if (typeof value !== 'string') fail(`"architecture" must be a string, got ${JSON.stringify(value)}`);
      try {
        return parseArchitectureName(value);
      } catch (error) {
        return fail(`"architecture": ${(error as Error).message}`);
      }
    },
  },
  options: {
    required: true,
    parse: (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail(`"options" must be an object of preset options, got ${JSON.stringify(value)}`);
      }
      for (const [key, option] of Object.entries(value)) {
        if (key === 'weights' || !isOptionValue(option)) {
          fail(
            `"options.${key}" must be a number, string, boolean or list of numbers, got ${JSON.stringify(option)}`,
          );
        }
      }
      const options = value as CreateDetectorOptions;
      if (!positiveInteger(options.numClasses)) {
        fail(`"options.numClasses" must be a positive integer, got ${JSON.stringify(options.numClasses)}`);
      }
      if (options.numKeypoints !== undefined && !positiveInteger(options.numKeypoints)) {
        fail(
          `"options.numKeypoints" must be a positive integer, got ${JSON.stringify(options.numKeypoints)}`,
        );
      }
      return options;
    },
  },
  categoryNames: {
    required: true,
    parse: (value) => {
      if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
        fail(`"categoryNames" must be a list of strings, got ${JSON.stringify(value)}`);
      }
      return value;
    },
  },
  categoryIds: {
    required: false,
    parse: (value) => {
      if (!Array.isArray(value) || !value.every(Number.isSafeInteger)) {
        fail(`"categoryIds" must be a list of integers, got ${JSON.stringify(value)}`);
      }
      if (new Set(value).size !== value.length)
        fail(`"categoryIds" has repeated ids: ${JSON.stringify(value)}`);
      return value;
    },
  },
};

const FIELD_NAMES = Object.keys(FIELDS) as (keyof ModelRecord)[];

/** Checks the fields against each other (counts). */
function checkConsistent(record: ModelRecord): void {
  const classes = record.categoryNames.length + 1;
  if (record.options.numClasses !== classes) {
    fail(
      `"options.numClasses" is ${record.options.numClasses} but "categoryNames" names ${record.categoryNames.length} classes (${classes} with background)`,
    );
  }
  if (record.categoryIds && record.categoryIds.length !== record.categoryNames.length) {
    fail(`"categoryIds" has ${record.categoryIds.length} ids for ${record.categoryNames.length} names`);
  }
}

/**
 * Parses and checks a record's JSON text. Keys the table does not know are ignored (a newer
 * writer's additions).
 * @throws RcnnError `INVALID_WEIGHTS` with one line saying which field is wrong and how
 */
export function parseModelRecord(text: string): ModelRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail(`must be a JSON object, got ${Array.isArray(json) ? 'a list' : JSON.stringify(json)}`);
  }
  const record: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) {
    const value = (json as Record<string, unknown>)[name];
    if (value === undefined) {
      if (FIELDS[name].required) fail(`missing "${name}"`);
      continue;
    }
    record[name] = FIELDS[name].parse(value);
  }
  checkConsistent(record as unknown as ModelRecord);
  return record as unknown as ModelRecord;
}

/**
 * The record as safetensors metadata (`{ "rcnn.model": JSON }`), fields in the table's order.
 * @throws RcnnError `INVALID_WEIGHTS` when the record would not read back (same checks as parsing)
 */
export function modelRecordMetadata(record: ModelRecord): Record<string, string> {
  const ordered = Object.fromEntries(
    FIELD_NAMES.filter((name) => record[name] !== undefined).map((name) => [name, record[name]]),
  );
  const text = JSON.stringify(ordered);
  parseModelRecord(text);
  return { [MODEL_RECORD_KEY]: text };
}

/** The record in safetensors metadata, if there is one. @throws RcnnError when it is malformed */
export function modelRecordOf(metadata: Readonly<Record<string, string>>): ModelRecord | undefined {
  const text = metadata[MODEL_RECORD_KEY];
  return text === undefined ? undefined : parseModelRecord(text);
}

/**
 * The record of a weights file's bytes: a `.safetensors` file's {@link MODEL_RECORD_KEY}
 * metadata; undefined for a `.pth` file or a safetensors file without one. Parses the file
 * (use `readSafetensors` + {@link modelRecordOf} when the tensors are needed too).
 * @throws RcnnError `INVALID_WEIGHTS` for an unreadable file or a malformed record
 */
export function readModelRecord(bytes: Uint8Array): ModelRecord | undefined {
  if (detectWeightsFormat(bytes) !== 'safetensors') return undefined;
  return modelRecordOf(readSafetensors(bytes).metadata);
}

/**
 * Names by label (index 0 is background), for drawing and results: the record's when the
 * weights carry one, else COCO's for torchvision's layouts (`categoryNamesFor`), else none.
 */
export function labelNamesOf(
  record: ModelRecord | undefined,
  architecture: ArchitectureName,
  numClasses: number,
): readonly string[] | undefined {
  if (record) return ['__background__', ...record.categoryNames];
  return categoryNamesFor(numClasses, architecture.startsWith('keypointrcnn'));
}
