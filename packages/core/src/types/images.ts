import type * as tf from '@tensorflow/tfjs-core';

/** `[height, width]` in pixels. */
export type ImageSize = [height: number, width: number];

/**
 * A batch of images ready for a backbone: normalized, resized, zero-padded to a
 * common size divisible by the backbone's `sizeDivisibility`, NHWC float32.
 * (torchvision: `ImageList` plus the transform's `original_image_sizes`.)
 */
export interface ImageBatch {
  /** `[B, H, W, 3]` float32, padded; owned by whoever created the batch. */
  readonly tensor: tf.Tensor4D;
  /** Size of each image after resizing, before padding. Boxes live in these coordinates. */
  readonly imageSizes: readonly ImageSize[];
  /** Size of each image as given by the user; results are mapped back to these. */
  readonly originalSizes: readonly ImageSize[];
}
