import { RcnnError } from '../errors/rcnn-error';
import type { StateDict } from '../weights/state-dict';
import {
  type LoadStateDictOptions,
  type LoadStateDictReport,
  type MisShapedEntry,
  matchEntries,
} from './load-state-dict';
import type { Module } from './module';

/** How {@link loadModuleStateDict} words its errors. */
export interface ModuleStateDictMessages {
  /** Class name that starts the MISSING_KEYS message (`<owner>.loadStateDict(prefix ...)`). */
  readonly owner: string;
  /** The INVALID_WEIGHTS message for the first mis-shaped entry. */
  readonly misShaped: (entry: MisShapedEntry) => string;
}

/**
 * Loads `module`'s entries under `prefix` (current names, then aliases), for owners that word the
 * errors themselves (the RPN head, the RoI heads): the first mis-shaped entry throws
 * INVALID_WEIGHTS `messages.misShaped(entry)`; when strict, a missing or unexpected key throws
 * MISSING_KEYS `<owner>.loadStateDict(prefix '<prefix>'): missing [...], unexpected [...]`.
 * Nothing is assigned unless the load succeeds. (`Module.loadStateDict` counts and hints instead.)
 * @param prefix `''` or ending with `.`; keys outside it are ignored
 * @throws RcnnError INVALID_WEIGHTS, MISSING_KEYS as above; INVALID_ARGUMENT on a malformed prefix
 */
export function loadModuleStateDict(
  module: Module,
  stateDict: StateDict,
  prefix: string,
  { strict = true }: LoadStateDictOptions,
  messages: ModuleStateDictMessages,
): LoadStateDictReport {
  const { found, misShaped, missingKeys, unexpectedKeys } = matchEntries(
    module.expectedEntries(prefix),
    stateDict,
    prefix,
  );
  const bad = misShaped[0];
  if (bad) throw new RcnnError('INVALID_WEIGHTS', messages.misShaped(bad));
  if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    throw new RcnnError(
      'MISSING_KEYS',
      `${messages.owner}.loadStateDict(prefix '${prefix}'): missing [${missingKeys.join(', ')}], unexpected [${unexpectedKeys.join(', ')}]`,
    );
  }
  for (const [entry, data] of found) entry.loadTorch(data);
  return { missingKeys, unexpectedKeys };
}
