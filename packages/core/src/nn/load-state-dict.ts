import { RcnnError } from '../errors/rcnn-error';
import { type StateDict, sizeOfShape } from '../weights/state-dict';
import type { Parameter } from './parameter';

/** What a load found, as full state_dict keys (prefix included). */
export interface LoadStateDictReport {
  /** Entries the module has that the state_dict lacks (they keep their values). */
  readonly missingKeys: string[];
  /** Keys under the prefix that no entry reads. */
  readonly unexpectedKeys: string[];
}

/** Options of `Module.loadStateDict`. */
export interface LoadStateDictOptions {
  /** Throw MISSING_KEYS on any missing or unexpected key (torch's `strict=True`). Default true. */
  readonly strict?: boolean;
}

/** One entry a module reads: full current name, torch shape, older full names, and where it goes. */
export interface ExpectedStateDictEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Older names accepted on load (never written). */
  readonly aliases: readonly string[];
  readonly entry: Parameter;
}

const LISTED = 20;

function list(names: readonly string[]): string {
  const shown = names.slice(0, LISTED).join(', ');
  return names.length > LISTED ? `${shown} (and ${names.length - LISTED} more)` : shown;
}

/** A found entry whose value has the wrong dtype, shape or length. */
export interface MisShapedEntry {
  /** The state_dict key it was found under. */
  readonly key: string;
  /** The torch shape the module expects. */
  readonly expected: readonly number[];
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Values the entry holds. */
  readonly length: number;
}

/** What {@link matchEntries} found; nothing is assigned yet. */
export interface StateDictMatch extends LoadStateDictReport {
  /** Well-shaped values to assign (`entry.loadTorch(data)`). */
  readonly found: readonly (readonly [entry: Parameter, data: Float32Array])[];
  readonly misShaped: readonly MisShapedEntry[];
}

/**
 * Matches a state_dict against named entries (current name first, then its aliases) without
 * assigning anything: for owners that word their errors themselves.
 * `<norm>.num_batches_tracked` next to a found `running_mean` counts as read.
 * @param prefix `''` or ending with `.`; keys outside it are ignored
 * @throws RcnnError INVALID_ARGUMENT on a malformed prefix
 */
export function matchEntries(
  entries: readonly ExpectedStateDictEntry[],
  stateDict: StateDict,
  prefix: string,
): StateDictMatch {
  if (prefix !== '' && !prefix.endsWith('.')) {
    throw new RcnnError('INVALID_ARGUMENT', `state_dict prefix must be '' or end with '.', got '${prefix}'`);
  }
  const consumed = new Set<string>();
  const missingKeys: string[] = [];
  const misShaped: MisShapedEntry[] = [];
  const found: [Parameter, Float32Array][] = [];
  for (const { name, aliases, entry } of entries) {
    const key = [name, ...aliases].find((candidate) => stateDict.has(candidate));
    if (key === undefined) {
      missingKeys.push(name);
      continue;
    }
    consumed.add(key);
    if (name.endsWith('.running_mean')) consumed.add(name.replace(/running_mean$/, 'num_batches_tracked'));
    const value = stateDict.get(key)!;
    const expected = entry.torchShape;
    const shapeMatches =
      value.shape.length === expected.length && value.shape.every((d, i) => d === expected[i]);
    if (value.dtype !== 'float32' || !shapeMatches || value.data.length !== sizeOfShape(expected)) {
      const { dtype, shape, data } = value;
      misShaped.push({ key, expected, dtype, shape, length: data.length });
      continue;
    }
    found.push([entry, value.data as Float32Array]);
  }
  const unexpectedKeys = [...stateDict.keys()].filter((key) => key.startsWith(prefix) && !consumed.has(key));
  return { found, misShaped, missingKeys, unexpectedKeys };
}

function describeMisShaped({ key, expected, dtype, shape, length }: MisShapedEntry): string {
  const wanted = `[${expected.join(', ')}]`;
  return dtype === 'float32' && shape.length === expected.length && shape.every((d, i) => d === expected[i])
    ? `${key}: holds ${length} values, shape ${wanted} needs ${sizeOfShape(expected)}`
    : `${key}: got ${dtype} [${shape.join(', ')}], expected float32 ${wanted}`;
}

/**
 * Checks a state_dict against named entries and assigns them (all or nothing on shape errors).
 * @param owner class name for messages
 */
export function loadEntries(
  owner: string,
  entries: readonly ExpectedStateDictEntry[],
  stateDict: StateDict,
  prefix: string,
  { strict = true }: LoadStateDictOptions,
): LoadStateDictReport {
  const { found, misShaped, missingKeys, unexpectedKeys } = matchEntries(entries, stateDict, prefix);
  if (misShaped.length > 0) {
    throw new RcnnError(
      'INVALID_WEIGHTS',
      `${owner}.loadStateDict: ${misShaped.length} mis-shaped entries: ${list(misShaped.map(describeMisShaped))}`,
    );
  }
  if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    const parts: string[] = [];
    if (missingKeys.length > 0) parts.push(`missing ${missingKeys.length}: ${list(missingKeys)}`);
    if (unexpectedKeys.length > 0) parts.push(`unexpected ${unexpectedKeys.length}: ${list(unexpectedKeys)}`);
    const noneFound = missingKeys.length === entries.length;
    const hint = noneFound ? ` No expected key was found under prefix '${prefix}': check the prefix.` : '';
    throw new RcnnError(
      'MISSING_KEYS',
      `${owner}.loadStateDict(prefix '${prefix}'): ${parts.join('; ')}.${hint}`,
    );
  }
  for (const [entry, data] of found) entry.loadTorch(data);
  return { missingKeys, unexpectedKeys };
}
