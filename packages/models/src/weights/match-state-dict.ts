import { type StateDict, sizeOfShape, type WeightTensor } from '@rcnn/core';
import type { WeightSlot } from './weight-slot';

/** What a checkpoint holds compared with what a detector reads; names as in the checkpoint. */
export interface StateDictReport {
  /** Expected entries the checkpoint lacks (current torchvision names). */
  readonly missing: string[];
  /** Checkpoint entries no part of the detector reads. */
  readonly unexpected: string[];
  /** Entries found with the wrong shape or a non-float dtype: `name: got ..., expected ...`. */
  readonly misshaped: string[];
}

/** The checkpoint's entries for one slot, keyed by current name, and whether all were found. */
export interface SlotEntries {
  readonly slot: WeightSlot;
  readonly entries: StateDict;
  readonly complete: boolean;
}

/**
 * BatchNorm's step counter: torchvision's FrozenBatchNorm2d drops it on load, and a model built
 * without pretrained weights (plain BatchNorm2d) saves it. Ignored when its norm is expected.
 */
function isIgnoredCounter(key: string, expectedNames: ReadonlySet<string>): boolean {
  return (
    key.endsWith('.num_batches_tracked') &&
    expectedNames.has(key.replace(/num_batches_tracked$/, 'running_mean'))
  );
}

function describe(entry: WeightTensor): string {
  return `${entry.dtype} [${entry.shape.join(', ')}]`;
}

/**
 * Matches a checkpoint against every slot of a detector (current names first, then each
 * entry's older aliases) and reports missing, unexpected and mis-shaped entries, as torch's
 * `load_state_dict` does (its `size mismatch` included). Reads no data; creates no tensors.
 */
export function matchStateDict(
  stateDict: StateDict,
  slots: readonly WeightSlot[],
): { report: StateDictReport; perSlot: SlotEntries[] } {
  const consumed = new Set<string>();
  const expectedNames = new Set<string>();
  const missing: string[] = [];
  const misshaped: string[] = [];
  const perSlot = slots.map((slot): SlotEntries => {
    const entries: StateDict = new Map();
    let complete = true;
    for (const expected of slot.expectedEntries()) {
      expectedNames.add(expected.name);
      const key = [expected.name, ...expected.aliases].find((name) => stateDict.has(name));
      if (key === undefined) {
        missing.push(expected.name);
        complete = false;
        continue;
      }
      consumed.add(key);
      const entry = stateDict.get(key)!;
      const shapeMatches =
        entry.shape.length === expected.shape.length && entry.shape.every((d, i) => d === expected.shape[i]);
      if (
        !shapeMatches ||
        entry.dtype !== 'float32' ||
        !(entry.data instanceof Float32Array) ||
        entry.data.length !== sizeOfShape(expected.shape)
      ) {
        misshaped.push(`${key}: got ${describe(entry)}, expected float32 [${expected.shape.join(', ')}]`);
        complete = false;
        continue;
      }
      entries.set(expected.name, entry);
    }
    return { slot, entries, complete };
  });
  const unexpected = [...stateDict.keys()].filter(
    (key) => !consumed.has(key) && !isIgnoredCounter(key, expectedNames),
  );
  return { report: { missing, unexpected, misshaped }, perSlot };
}

const LISTED = 12;

/** One line per non-empty list of the report, at most a dozen names each. */
export function formatStateDictReport(report: StateDictReport): string {
  const parts: string[] = [];
  for (const [label, names] of [
    ['missing', report.missing],
    ['unexpected', report.unexpected],
    ['mis-shaped', report.misshaped],
  ] as const) {
    if (names.length === 0) continue;
    const shown = names.slice(0, LISTED).join(', ');
    const more = names.length > LISTED ? ` (and ${names.length - LISTED} more)` : '';
    parts.push(`${label} ${names.length}: ${shown}${more}`);
  }
  return parts.join('; ');
}
