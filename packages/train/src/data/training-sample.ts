import { asBoxes, type GroundTruth } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * One decoded, augmented training image with its targets, as plain arrays (cheap to pass between
 * worker threads). All coordinates in this image's pixels; N instances, K keypoints each.
 */
export interface TrainingSample {
  readonly imageId: number;
  readonly width: number;
  readonly height: number;
  /** `height * width * 3` bytes, row-major RGB. */
  readonly pixels: Uint8Array;
  /** `N * 4` xyxy. */
  readonly boxes: Float32Array;
  /** `N` contiguous labels (1..K). */
  readonly labels: Int32Array;
  /** `N * height * width` 0/1, row-major per instance. */
  readonly masks?: Uint8Array;
  /** `N * K * 3` x, y, visibility (0 = not labelled). */
  readonly keypoints?: Float32Array;
  /** K, needed when N is 0. */
  readonly numKeypoints?: number;
}

/** A sample as the model takes it: image `[H, W, 3]` int32 0..255 and its `GroundTruth`; caller owns. */
export function sampleToTensors(sample: TrainingSample): { image: tf.Tensor3D; target: GroundTruth } {
  const { width, height } = sample;
  const n = sample.labels.length;
  const image = tf.tensor3d(Int32Array.from(sample.pixels), [height, width, 3], 'int32');
  const target: GroundTruth = {
    boxes: asBoxes(tf.tensor2d(sample.boxes, [n, 4], 'float32')),
    labels: tf.tensor1d(sample.labels, 'int32'),
    ...(sample.masks
      ? { masks: tf.tensor3d(Float32Array.from(sample.masks), [n, height, width], 'float32') }
      : {}),
    ...(sample.keypoints
      ? {
          keypoints: tf.tensor3d(
            sample.keypoints,
            [n, sample.numKeypoints ?? (n > 0 ? sample.keypoints.length / (3 * n) : 0), 3],
            'float32',
          ),
        }
      : {}),
  };
  return { image, target };
}

/** Disposes what {@link sampleToTensors} made. */
export function disposeSampleTensors({ image, target }: { image: tf.Tensor3D; target: GroundTruth }): void {
  image.dispose();
  target.boxes.dispose();
  target.labels.dispose();
  target.masks?.dispose();
  target.keypoints?.dispose();
}
