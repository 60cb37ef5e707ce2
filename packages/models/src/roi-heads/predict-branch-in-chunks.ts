import type { FeatureMaps } from '@rcnn/core';
import type { BranchPrediction, RoiHeadBranch } from '@rcnn/heads';
import * as tf from '@tensorflow/tfjs-core';
import { type DetectorInstances, disposeDetections, sliceDetections } from '../detector-instances';
import { firstRows, padDetection } from './roi-padding';

/**
 * Detections per image that one call of a branch's `predict` sees at most. The mask branch
 * holds about 4.4 MB of activations per detection (ResNet-50 Mask R-CNN on wasm), so 100 keep a
 * call near 440 MB whatever `detectionsPerImage` is; torchvision's default (100) stays one call.
 */
export const BRANCH_PREDICT_CHUNK = 100;

/**
 * `branch.predict(features, detections)` run on at most `chunkSize` detections per image at a
 * time (round `r` passes rows `[r * chunkSize, (r + 1) * chunkSize)` of every image, empty for
 * images with fewer), the per-image results concatenated back in order. Branches compute each
 * RoI on its own (pooling, per-RoI convolutions, the label's column), so the result equals one
 * unchunked call exactly; with at most `chunkSize` detections per image it is that one call.
 * @param detections per image, with earlier branches' fields; not disposed
 * @param chunkSize detections per image per call, a positive integer (Infinity: one call)
 * @param padTo each call's detections per image are padded to a multiple of this (see `RoiPadding`)
 * @returns per image the branch's new fields; caller owns
 */
export async function predictBranchInChunks(
  branch: RoiHeadBranch,
  features: FeatureMaps,
  detections: readonly DetectorInstances[],
  chunkSize = BRANCH_PREDICT_CHUNK,
  padTo?: number,
): Promise<BranchPrediction[]> {
  const counts = detections.map((detection) => detection.boxes.shape[0]);
  const largest = Math.max(0, ...counts);
  if (largest <= chunkSize) return predictPadded(branch, features, detections, padTo);
  const pieces: BranchPrediction[][] = []; // [round][image]
  try {
    for (let start = 0; start < largest; start += chunkSize) {
      const parts = detections.map((detection, i) => {
        const from = Math.min(start, counts[i]!);
        return sliceDetections(detection, from, Math.min(chunkSize, counts[i]! - from));
      });
      try {
        pieces.push(await predictPadded(branch, features, parts, padTo));
      } finally {
        disposeDetections(parts);
      }
    }
    const joined: Record<string, tf.Tensor>[] = [];
    try {
      for (const [i] of detections.entries()) {
        const fields: Record<string, tf.Tensor> = {};
        joined.push(fields);
        for (const key of Object.keys(pieces[0]![i] ?? {}) as (keyof BranchPrediction)[]) {
          fields[key] = tf.concat(pieces.map((round) => round[i]![key]!));
        }
      }
    } catch (error) {
      for (const fields of joined) tf.dispose(Object.values(fields));
      throw error;
    }
    return joined as BranchPrediction[];
  } finally {
    for (const round of pieces) {
      for (const prediction of round) tf.dispose(Object.values(prediction) as tf.Tensor[]);
    }
  }
}

/** `branch.predict` on the detections padded to a multiple of `padTo` rows, cut back to the real rows. */
async function predictPadded(
  branch: RoiHeadBranch,
  features: FeatureMaps,
  detections: readonly DetectorInstances[],
  padTo: number | undefined,
): Promise<BranchPrediction[]> {
  if (padTo === undefined) return branch.predict(features, detections);
  const padded: DetectorInstances[] = [];
  try {
    for (const detection of detections) padded.push(padDetection(detection, padTo));
    const predictions = await branch.predict(features, padded);
    return predictions.map((prediction, i) => firstRows(prediction, detections[i]!.boxes.shape[0]));
  } finally {
    disposeDetections(padded);
  }
}
