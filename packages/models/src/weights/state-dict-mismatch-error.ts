import { RcnnError } from '@rcnn/core';
import { formatStateDictReport, type StateDictReport } from './match-state-dict';

/**
 * Thrown by a detector's `loadStateDict` when the checkpoint does not fit: code `MISSING_KEYS`
 * (strict load with missing or unexpected entries) or `INVALID_WEIGHTS` (mis-shaped entries,
 * an error in any mode, as torch's size mismatch). Carries the whole {@link StateDictReport}.
 * Nothing was loaded when it is thrown.
 */
export class StateDictMismatchError extends RcnnError {
  readonly report: StateDictReport;

  constructor(code: 'MISSING_KEYS' | 'INVALID_WEIGHTS', report: StateDictReport, hint: string) {
    super(code, `the checkpoint does not match the detector: ${formatStateDictReport(report)}. ${hint}`);
    this.name = 'StateDictMismatchError';
    this.report = report;
  }
}
