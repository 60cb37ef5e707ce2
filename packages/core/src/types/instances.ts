import type * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import type { BoxArray, Boxes } from './boxes';
import type { ImageSize } from './images';

/** Region proposals for one image: boxes in the resized image's pixels, with objectness logits or scores. */
export interface Proposals {
  readonly boxes: Boxes;
  /** `[N]` float32. */
  readonly scores: tf.Tensor1D;
}

/**
 * Detections for one image. Every field has the same length N (checked by
 * {@link validateInstances}). Branch outputs are optional and typed, not a bag.
 */
export interface Instances {
  readonly imageSize: ImageSize;
  readonly boxes: Boxes;
  /** `[N]` float32. */
  readonly scores: tf.Tensor1D;
  /** `[N]` int32 class indices as in the model's weights (0 is background in torchvision models, so never returned). */
  readonly labels: tf.Tensor1D;
  /** `[N, H, W]` float32 mask probabilities: per-RoI (`28x28`) before pasting, image-sized after. */
  readonly masks?: tf.Tensor3D;
  /** `[N, K, 3]` float32: x, y, visibility (torchvision convention: 1). */
  readonly keypoints?: tf.Tensor3D;
  /** `[N, K]` float32 heatmap scores of each keypoint. */
  readonly keypointScores?: tf.Tensor2D;
}

/** Ground truth for one image, in the same coordinates as the batch it belongs to. */
export interface GroundTruth {
  readonly boxes: Boxes;
  /** `[N]` int32 class indices (1..numClasses-1; 0 is background). */
  readonly labels: tf.Tensor1D;
  /** `[N, H, W]` binary masks (0/1 float32) at the image's size. */
  readonly masks?: tf.Tensor3D;
  /** `[N, K, 3]` x, y, visibility (0 = not labelled). */
  readonly keypoints?: tf.Tensor3D;
}

/** A COCO run-length encoding (column-major), compressed to a string. */
export interface CompressedRle {
  size: [height: number, width: number];
  counts: string;
}

/** An app-facing detection: plain numbers, downloaded from tensors, in original image pixels. */
export interface DetectedInstance {
  box: BoxArray;
  score: number;
  label: number;
  categoryName?: string;
  mask?: CompressedRle;
  keypoints?: [x: number, y: number, score: number][];
}

/** Checks the Instances invariant: every field has length N. Throws `RcnnError` otherwise. */
export function validateInstances(instances: Instances): void {
  const n = instances.boxes.shape[0];
  const fields: [string, tf.Tensor | undefined][] = [
    ['scores', instances.scores],
    ['labels', instances.labels],
    ['masks', instances.masks],
    ['keypoints', instances.keypoints],
    ['keypointScores', instances.keypointScores],
  ];
  for (const [name, tensor] of fields) {
    if (tensor && tensor.shape[0] !== n) {
      throw new RcnnError(
        'INVALID_SHAPE',
        `Instances.${name} has ${tensor.shape[0]} entries but boxes has ${n}`,
      );
    }
  }
}

/** Disposes every tensor an Instances record holds. */
export function disposeInstances(instances: Instances): void {
  instances.boxes.dispose();
  instances.scores.dispose();
  instances.labels.dispose();
  instances.masks?.dispose();
  instances.keypoints?.dispose();
  instances.keypointScores?.dispose();
}

/** Disposes every tensor a GroundTruth record holds. */
export function disposeGroundTruth(groundTruth: GroundTruth): void {
  groundTruth.boxes.dispose();
  groundTruth.labels.dispose();
  groundTruth.masks?.dispose();
  groundTruth.keypoints?.dispose();
}
