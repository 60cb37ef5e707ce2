import { disposeInstances, type Instances } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * One image's detections from a detector: core's `Instances` plus what extra branches add that
 * core has no field for yet. `maskScores` (Mask Scoring R-CNN: class score x predicted MaskIoU,
 * `[N]` float32) comes from a `MaskIouBranch`.
 */
export interface DetectorInstances extends Instances {
  readonly maskScores?: tf.Tensor1D;
}

/** Disposes every tensor of each record (core's `disposeInstances` plus `maskScores`). */
export function disposeDetections(detections: readonly DetectorInstances[]): void {
  for (const detection of detections) {
    disposeInstances(detection);
    detection.maskScores?.dispose();
  }
}
