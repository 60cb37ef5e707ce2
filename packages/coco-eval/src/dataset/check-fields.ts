import { CocoFormatError } from '../errors';

/** Field checks shared by the loaders; each throws CocoFormatError naming the path. */
export function checkObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CocoFormatError(`expected an object, got ${describe(value)}`, path);
  }
  return value as Record<string, unknown>;
}

/** A list. */
export function checkArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new CocoFormatError(`expected a list, got ${describe(value)}`, path);
  return value;
}

/** A required finite number. */
export function checkNumber(record: Record<string, unknown>, field: string, path: string): number {
  const value = record[field];
  if (value === undefined) throw new CocoFormatError(`missing "${field}"`, path);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CocoFormatError(`"${field}" must be a finite number, got ${describe(value)}`, path);
  }
  return value;
}

/** An optional finite number. */
export function checkOptionalNumber(
  record: Record<string, unknown>,
  field: string,
  path: string,
): number | undefined {
  return record[field] === undefined ? undefined : checkNumber(record, field, path);
}

/** A list of finite numbers, of `length` when given, else a multiple of `multipleOf`. */
export function checkNumberList(
  value: unknown,
  path: string,
  shape: { length?: number; multipleOf?: number } = {},
): number[] {
  const list = checkArray(value, path);
  if (shape.length !== undefined && list.length !== shape.length) {
    throw new CocoFormatError(`expected ${shape.length} numbers, got ${list.length}`, path);
  }
  if (shape.multipleOf !== undefined && list.length % shape.multipleOf !== 0) {
    throw new CocoFormatError(`expected a multiple of ${shape.multipleOf} numbers, got ${list.length}`, path);
  }
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item !== 'number' || !Number.isFinite(item)) {
      throw new CocoFormatError(`item ${i} must be a finite number, got ${describe(item)}`, path);
    }
  }
  return list as number[];
}

/** `iscrowd` as pycocotools reads it: a number or boolean, truthy means crowd. */
export function checkCrowdFlag(record: Record<string, unknown>, path: string): void {
  const value = record.iscrowd;
  if (
    value !== undefined &&
    typeof value !== 'boolean' &&
    (typeof value !== 'number' || !Number.isFinite(value))
  ) {
    throw new CocoFormatError(`"iscrowd" must be 0, 1 or a boolean, got ${describe(value)}`, path);
  }
}

/** Short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}
