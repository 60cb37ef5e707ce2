import { type Boxes, ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type IndexInput, toIndexTensor } from '../layers/index-tensors';

/**
 * The RoIAlign this package needs, injected so heads never imports `@rcnn/roi-align`
 * (design.md: stage packages never import each other). It must behave as torchvision
 * `ops.roi_align(input, rois, outputSize, spatial_scale=1, sampling_ratio=-1, aligned=False)`,
 * NHWC: for each box i, pool `input[boxIndices[i]]` over `boxes[i]` (xyxy, input pixels).
 * Adapter from @rcnn/roi-align in the detector: `(x, b, i, s) => roiAlign(x, b, i, { outputSize: [s, s] })`.
 * @param input `[B, H, W, C]` float32; not to be disposed by the callee
 * @param boxes `[N, 4]` xyxy in `input` pixels (spatial scale 1)
 * @param boxIndices `[N]` int32 image of each box
 * @returns `[N, outputSize, outputSize, C]` float32; the caller (heads) owns it
 */
export type RoiAlignFunction = (
  input: tf.Tensor4D,
  boxes: Boxes,
  boxIndices: tf.Tensor1D,
  outputSize: number,
) => tf.Tensor4D;

/** Inputs of {@link maskTargets} for one image. */
export interface MaskTargetsInputs {
  /** `[G, H, W]` float32 GT masks (0/1) at the image's (batched) size. */
  readonly gtMasks: tf.Tensor3D;
  /** `[P, 4]` positive proposals, xyxy pixels of the same image. */
  readonly proposals: Boxes;
  /** `[P]` int32 GT index matched to each proposal. */
  readonly matchedGtIndices: IndexInput;
  /** Target size M (28: the mask predictor's output size). */
  readonly size?: number;
  readonly roiAlign: RoiAlignFunction;
}

/**
 * torchvision `models/detection/roi_heads.py::project_masks_on_boxes`: each proposal's matched
 * GT mask, RoIAligned to `size x size` over the proposal. Values stay soft in [0, 1], as
 * torchvision's (the paper binarises them; the loss takes soft targets either way).
 * Inputs are not disposed. @returns `[P, M, M]` float32; caller owns.
 */
export function maskTargets({
  gtMasks,
  proposals,
  matchedGtIndices,
  size = 28,
  roiAlign,
}: MaskTargetsInputs): tf.Tensor3D {
  ensure(
    gtMasks.rank === 3,
    'INVALID_SHAPE',
    () => `maskTargets expects gtMasks [G, H, W], got [${gtMasks.shape.join(', ')}]`,
  );
  ensure(
    Number.isInteger(size) && size > 0,
    'INVALID_ARGUMENT',
    () => `mask target size must be a positive integer, got ${size}`,
  );
  const count = proposals.shape[0];
  return tf.tidy(() => {
    const indices = toIndexTensor('maskTargets matchedGtIndices', matchedGtIndices, count);
    if (count === 0) return tf.zeros([0, size, size]) as tf.Tensor3D;
    ensure(
      gtMasks.shape[0] > 0,
      'INVALID_ARGUMENT',
      () => 'maskTargets got positive proposals but no GT masks',
    );
    const [numMasks, height, width] = gtMasks.shape;
    const input = tf.reshape(tf.cast(gtMasks, 'float32'), [numMasks, height, width, 1]) as tf.Tensor4D;
    const pooled = roiAlign(input, proposals, indices, size);
    ensure(
      pooled.rank === 4 && pooled.shape[0] === count && pooled.shape[1] === size && pooled.shape[2] === size,
      'INVALID_SHAPE',
      () =>
        `the injected roiAlign returned [${pooled.shape.join(', ')}], expected [${count}, ${size}, ${size}, 1]`,
    );
    return tf.reshape(pooled, [count, size, size]) as tf.Tensor3D;
  });
}
