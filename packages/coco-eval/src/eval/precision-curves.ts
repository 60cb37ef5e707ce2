import { FALSE_POSITIVE, TRUE_POSITIVE } from './evaluate-images';
import { NUMPY_EPSILON } from './object-keypoint-similarity';

/**
 * The per-threshold precision/recall curves of one (category, area range, maxDet),
 * computed the way pycocotools does but without storing a value per detection:
 *
 * - recall `rc[e] = tp_e / npig` depends only on the TP count, so the first e with
 *   `rc[e] >= r` (searchsorted 'left') is entry 0 when `0 / npig >= r`, else the
 *   position of the J-th true positive, J the least count with `J / npig >= r`
 *   (same float division, so the same J);
 * - `pr[e] = tp_e / (fp_e + tp_e + eps)` never rises at a non-TP entry, so its
 *   running maximum from the right, read at such a position, is the maximum over
 *   entry 0 (for J = 0) and the true positives from J on.
 *
 * The results equal pycocotools' bit for bit (same operations on the same values).
 */
export class PrecisionCurves {
  private outcomes = new Uint8Array(0);
  private keptEntries = new Int32Array(0);
  private truePositiveEntry = new Int32Array(0);
  private truePositivePrecision = new Float64Array(0);
  private readonly truePositives: Float64Array;
  readonly falsePositives: Float64Array;
  private readonly firstPrecision: Float64Array;
  private capacity = 0;
  private keptCount = 0;
  private nonIgnored = 1;

  constructor(
    private readonly thresholds: number,
    private readonly recallThresholds: readonly number[],
  ) {
    this.truePositives = new Float64Array(thresholds);
    this.falsePositives = new Float64Array(thresholds);
    this.firstPrecision = new Float64Array(thresholds);
  }

  /** Copies the T outcomes of each sorted detection next to each other (the one random-access pass). */
  gather(outcomes: Uint8Array, order: Int32Array, total: number): void {
    const T = this.thresholds;
    if (this.outcomes.length < total * T) {
      this.outcomes = new Uint8Array(total * T);
      this.keptEntries = new Int32Array(total);
    }
    const gathered = this.outcomes;
    for (let e = 0; e < total; e++) {
      const source = order[e] * T;
      const target = e * T;
      for (let t = 0; t < T; t++) gathered[target + t] = outcomes[source + t];
    }
  }

  /** Cumulative counts over the gathered detections of rank below maxDet; records each true positive. */
  count(ranks: Int32Array, total: number, maxDet: number, nonIgnored: number): void {
    const T = this.thresholds;
    const capacity = Math.min(total, nonIgnored) + 2;
    if (this.truePositiveEntry.length < capacity * T) {
      this.truePositiveEntry = new Int32Array(capacity * T);
      this.truePositivePrecision = new Float64Array(capacity * T);
    }
    this.capacity = capacity;
    this.nonIgnored = nonIgnored;
    const { outcomes, keptEntries, truePositives, falsePositives, truePositiveEntry, truePositivePrecision } =
      this;
    const firstPrecision = this.firstPrecision;
    truePositives.fill(0);
    falsePositives.fill(0);
    let kept = 0;
    for (let e = 0; e < total; e++) {
      if (ranks[e] >= maxDet) continue;
      keptEntries[kept] = e;
      const base = e * T;
      for (let t = 0; t < T; t++) {
        const outcome = outcomes[base + t];
        if (outcome === TRUE_POSITIVE) {
          const tp = ++truePositives[t];
          truePositiveEntry[t * capacity + tp] = kept;
          truePositivePrecision[t * capacity + tp] = tp / (falsePositives[t] + tp + NUMPY_EPSILON);
        } else if (outcome === FALSE_POSITIVE) {
          falsePositives[t]++;
        }
        if (kept === 0) {
          const tp = truePositives[t];
          firstPrecision[t] = tp / (falsePositives[t] + tp + NUMPY_EPSILON);
        }
      }
      kept++;
    }
    this.keptCount = kept;
  }

  /** `rc[-1]`, or 0 without detections. */
  recall(t: number): number {
    return this.keptCount > 0 ? this.truePositives[t] / this.nonIgnored : 0;
  }

  /**
   * Writes threshold t's interpolated precision and scores at `first + r * stride`
   * for every recall threshold r; thresholds past the last detection get 0.
   */
  interpolate(
    t: number,
    order: Int32Array,
    dtScores: Float64Array,
    precision: Float64Array,
    scores: Float64Array,
    first: number,
    stride: number,
  ): void {
    const base = t * this.capacity;
    const positives = this.truePositives[t];
    const envelope = this.truePositivePrecision;
    // Running maximum from the right over the true positives.
    for (let j = positives - 1; j >= 1; j--) {
      if (envelope[base + j + 1] > envelope[base + j]) envelope[base + j] = envelope[base + j + 1];
    }
    const R = this.recallThresholds.length;
    let r = 0;
    for (; r < R && this.keptCount > 0; r++) {
      const needed = this.leastCount(this.recallThresholds[r], positives);
      if (needed > positives) break;
      let value: number;
      let entry: number;
      if (needed === 0) {
        value = this.firstPrecision[t];
        if (positives >= 1 && envelope[base + 1] > value) value = envelope[base + 1];
        entry = 0;
      } else {
        value = envelope[base + needed];
        entry = this.truePositiveEntry[base + needed];
      }
      precision[first + r * stride] = value;
      scores[first + r * stride] = dtScores[order[this.keptEntries[entry]]];
    }
    for (; r < R; r++) {
      precision[first + r * stride] = 0;
      scores[first + r * stride] = 0;
    }
  }

  /**
   * Least J in 0..positives with J / npig >= threshold (the float test pycocotools'
   * searchsorted makes), or positives + 1: start from ceil(threshold * npig) and step.
   */
  private leastCount(threshold: number, positives: number): number {
    const npig = this.nonIgnored;
    let count = Math.min(Math.max(Math.ceil(threshold * npig), 0), positives + 1);
    while (count > 0 && (count - 1) / npig >= threshold) count--;
    while (count <= positives && count / npig < threshold) count++;
    return count;
  }
}
