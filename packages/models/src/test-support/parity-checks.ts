import type { Instances } from '@rcnn/core';
import { expect } from 'vitest';
import {
  type DetectionMatch,
  iou,
  maskIou,
  matchDetections,
  type PlainDetections,
  unmatchedAtCut,
} from './match-detections';
import type { ModelFixture } from './model-fixture';

/** Downloads one image's detections (and branch outputs) as plain arrays. */
export async function plainInstances(instances: Instances) {
  const [boxes, scores, labels, masks, keypoints, keypointScores] = await Promise.all([
    instances.boxes.data<'float32'>(),
    instances.scores.data<'float32'>(),
    instances.labels.data<'int32'>(),
    instances.masks?.data<'float32'>(),
    instances.keypoints?.data<'float32'>(),
    instances.keypointScores?.data<'float32'>(),
  ]);
  return {
    boxes: boxes as Float32Array,
    scores: scores as Float32Array,
    labels: labels as Int32Array,
    masks: masks as Float32Array | undefined,
    maskShape: instances.masks?.shape,
    keypoints: keypoints as Float32Array | undefined,
    keypointScores: keypointScores as Float32Array | undefined,
  };
}

export type PlainInstances = Awaited<ReturnType<typeof plainInstances>>;

/** torchvision's detections of image `image` at `stage` ('roi' or 'final'). */
export function fixtureDetections(
  fixture: ModelFixture,
  image: number,
  stage: 'roi' | 'final',
): PlainDetections {
  const key = (field: string) => `image${image}/${stage}/${field}`;
  return {
    boxes: fixture.floats(key('boxes')),
    scores: fixture.floats(key('scores')),
    labels: fixture.ints(key('labels')),
  };
}

/** Worst figures over a comparison, for the report. */
export interface ParityFigures {
  maxBoxDiff: number;
  maxScoreDiff: number;
  unmatched: number;
  maxMaskDiff?: number;
  minMaskIou?: number;
  maxKeypointDiff?: number;
  maxKeypointScoreDiff?: number;
}

/**
 * Asserts one-to-one detections (label equal, IoU > 0.99), boxes within 1e-2 px, scores within
 * 1e-4; unmatched ones only as near-tie swaps at the top-k cut. Returns the match.
 */
export function expectSameDetections(
  ours: PlainDetections,
  theirs: PlainDetections,
  what: string,
): DetectionMatch {
  const match = matchDetections(ours, theirs);
  expect(ours.scores.length, `${what}: detection count`).toBe(theirs.scores.length);
  expect(
    unmatchedAtCut(match.theirsUnmatched, theirs.scores, 1e-4),
    `${what}: unmatched torchvision detections`,
  ).toBe(true);
  expect(
    unmatchedAtCut(match.oursUnmatched, ours.scores, 1e-4),
    `${what}: unmatched detections of ours`,
  ).toBe(true);
  expect(match.maxBoxDiff, `${what}: box difference (px)`).toBeLessThan(1e-2);
  expect(match.maxScoreDiff, `${what}: score difference`).toBeLessThan(1e-4);
  return match;
}

/** Max |difference| of per-RoI masks `[N, M, M]` over matched pairs. */
export function maxMaskDifference(
  match: DetectionMatch,
  ours: Float32Array,
  theirs: Float32Array,
  size: number,
) {
  let worst = 0;
  for (const [i, j] of match.pairs) {
    for (let p = 0; p < size; p++)
      worst = Math.max(worst, Math.abs(ours[i * size + p]! - theirs[j * size + p]!));
  }
  return worst;
}

/** Smallest IoU of binarized (> 0.5) masks `[N, H, W]` over matched pairs. */
export function minMaskIou(
  match: DetectionMatch,
  ours: Float32Array,
  theirsBinary: Uint8Array,
  size: number,
) {
  let worst = 1;
  const binary = Uint8Array.from(ours, (p) => (p > 0.5 ? 1 : 0));
  for (const [i, j] of match.pairs)
    worst = Math.min(worst, maskIou(binary, i * size, theirsBinary, j * size, size));
  return worst;
}

/** Max |difference| over matched pairs of `[N, K, width]` arrays, on the first `columns` of each row. */
export function maxRowDifference(
  match: DetectionMatch,
  ours: Float32Array,
  theirs: Float32Array,
  rowLength: number,
  width: number,
  columns: number,
) {
  let worst = 0;
  for (const [i, j] of match.pairs) {
    for (let r = 0; r < rowLength / width; r++) {
      for (let c = 0; c < columns; c++) {
        const a = ours[i * rowLength + r * width + c]!;
        const b = theirs[j * rowLength + r * width + c]!;
        worst = Math.max(worst, Math.abs(a - b));
      }
    }
  }
  return worst;
}

/**
 * Proposals compared as sets: how many of torchvision's have no box of ours within `tolerance`
 * px on every coordinate (IoU prefilter), and the worst coordinate difference of the rest.
 */
export function compareProposals(ours: Float32Array, theirs: Float32Array, tolerance = 1e-2) {
  const n = ours.length / 4;
  const m = theirs.length / 4;
  const used = new Uint8Array(n);
  let unmatched = 0;
  let maxDiff = 0;
  for (let j = 0; j < m; j++) {
    let best = -1;
    let bestDiff = Number.POSITIVE_INFINITY;
    // Proposals are sorted by score on both sides: look near the same rank first.
    for (let i = 0; i < n; i++) {
      if (used[i] || iou(ours, i, theirs, j) < 0.99) continue;
      let diff = 0;
      for (let k = 0; k < 4; k++) diff = Math.max(diff, Math.abs(ours[4 * i + k]! - theirs[4 * j + k]!));
      if (diff < bestDiff) {
        best = i;
        bestDiff = diff;
        if (diff === 0) break;
      }
    }
    if (best < 0 || bestDiff > tolerance) {
      unmatched++;
      continue;
    }
    used[best] = 1;
    maxDiff = Math.max(maxDiff, bestDiff);
  }
  return { unmatched, maxDiff, ours: n, theirs: m };
}
