import type * as tf from '@tensorflow/tfjs-core';
import type { ResizeBilinearMode } from './resize-bilinear-grad-loop';

/** The arguments of a `ResizeBilinearGrad` kernel call, unpacked. */
export interface ResizeBilinearGradArgs {
  /** `[batch, inHeight, inWidth, depth]` forward input: only its shape is used (the output's shape). */
  images: tf.TensorInfo;
  /** `[batch, outHeight, outWidth, depth]` float32 gradient of the resized output. */
  dy: tf.TensorInfo;
  /** The forward op's mapping; both flags default to false as in tfjs-core's resizeBilinear. */
  mode: ResizeBilinearMode;
}

/**
 * Unpacks a `ResizeBilinearGrad` kernel call's inputs and attrs (shared by the cpu and wasm
 * kernels). Returns references to the inputs; nothing is allocated or owned.
 */
export function resizeBilinearGradArgs(
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
): ResizeBilinearGradArgs {
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const { alignCorners = false, halfPixelCenters = false } = (attrs ?? {}) as Partial<tf.ResizeBilinearAttrs>;
  return { images, dy, mode: { alignCorners, halfPixelCenters } };
}
