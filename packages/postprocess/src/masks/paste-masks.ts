import type { Boxes, ImageSize } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkPasteInputs, expandBoxesToIntegers, padMasks } from './paste-geometry';

/** Options of {@link pasteMasks}. */
export interface PasteMasksOptions {
  /**
   * Zero border added around each mask before resizing; the box grows by the same
   * factor `(M + 2 * padding) / M` so the mask content stays where it was (torchvision: 1).
   */
  readonly padding?: number;
}

/**
 * Pastes per-RoI mask probabilities into full-image probability maps, exactly as
 * torchvision/models/detection/roi_heads.py::paste_masks_in_image (with expand_masks,
 * expand_boxes and paste_mask_in_image): each mask is zero-padded by `padding`, its box
 * is scaled about its centre by `(M + 2p) / M` and truncated to integers, the padded mask
 * is resized bilinearly (align_corners=False) to `(y2 - y1 + 1) x (x2 - x1 + 1)` and
 * written into the image, clipped at the borders; everything else is 0.
 *
 * Rather than resizing every mask to its own box size (one shape per instance), the
 * bilinear sampling grid of each box is computed for the whole image: rows and columns
 * outside the box get zero weight. Resizing is then two batched matrix products with
 * the same source coordinates, neighbours and weights torch uses, so the op graph has
 * fixed shapes (`N`, `M`, image size), runs on any backend and needs no read-back.
 *
 * @param masks `[N, M, M]` float32 probabilities (the predicted class's channel of the mask head, after sigmoid); not disposed
 * @param boxes `[N, 4]` float32 xyxy in the pixels of the image the masks are pasted into (original image size); not disposed
 * @param imageSize `[height, width]` of that image
 * @returns `[N, height, width]` float32 probabilities; caller owns
 */
export function pasteMasks(
  masks: tf.Tensor3D,
  boxes: Boxes,
  imageSize: ImageSize,
  { padding = 1 }: PasteMasksOptions = {},
): tf.Tensor3D {
  checkPasteInputs(masks, boxes, imageSize, padding);
  const [height, width] = imageSize;
  const count = masks.shape[0];
  if (count === 0) return tf.zeros([0, height, width]);
  const paddedSide = masks.shape[1] + 2 * padding;
  return tf.tidy(() => {
    const padded = padMasks(masks, padding);
    const [x1, y1, x2, y2] = tf.split(
      expandBoxesToIntegers(boxes, masks.shape[1], padding),
      4,
      1,
    ) as tf.Tensor2D[];
    const columns = samplingGrid(x1!, x2!, width, paddedSide);
    const rows = samplingGrid(y1!, y2!, height, paddedSide);
    // Width first, then height, as torch's separable kernel: out = Ry @ (P @ Rx^T), where each row
    // of the [N, length, S] interpolation matrices holds the two bilinear weights of one pixel.
    const alongWidth = tf.matMul(padded, interpolationMatrix(columns, paddedSide), false, true); // [N, S, width]
    return tf.matMul(interpolationMatrix(rows, paddedSide), alongWidth) as tf.Tensor3D; // [N, height, width]
  });
}

/**
 * `[N, length, S]` float32 matrix with `lowWeight` at column `lowIndex` and `highWeight` at
 * `highIndex` in each row (one-hot rows summed). A batched matMul with it applies the
 * bilinear resize: the other products are exact zeros, so each output is the same
 * two-term sum torch computes. (Dense rather than gathered: tfjs's cpu gather is slow and
 * tfjs-backend-wasm 4.22's GatherV2 returns wrong rows for batchDims = 1.) Call inside tidy.
 */
function interpolationMatrix(grid: SamplingGrid, sourceSize: number): tf.Tensor3D {
  const spread = (index: tf.Tensor2D, weight: tf.Tensor2D) =>
    tf.mul(tf.cast(tf.oneHot(index, sourceSize), 'float32'), tf.expandDims(weight, 2));
  return tf.add(
    spread(grid.lowIndex, grid.lowWeight),
    spread(grid.highIndex, grid.highWeight),
  ) as tf.Tensor3D;
}

interface SamplingGrid {
  /** `[N, length]` int32 source index of the lower neighbour. */
  lowIndex: tf.Tensor2D;
  /** `[N, length]` int32 source index of the upper neighbour. */
  highIndex: tf.Tensor2D;
  /** `[N, length]` float32 weight of the lower neighbour; 0 outside the box. */
  lowWeight: tf.Tensor2D;
  /** `[N, length]` float32 weight of the upper neighbour; 0 outside the box. */
  highWeight: tf.Tensor2D;
}

/**
 * Bilinear (align_corners=False) source coordinates along one image axis of length
 * `length` for masks resized to `end - start + 1` pixels and placed at `start`, as torch's
 * upsample_bilinear2d computes them: src = (S / size) * (i + 0.5) - 0.5 clamped at 0,
 * neighbours floor(src) and floor(src) + 1 (held at S - 1), weights 1 - frac and frac.
 * Pixels outside `[start, end]` (and all pixels of inverted boxes, which torch leaves
 * empty) get zero weights. Call inside tidy.
 */
function samplingGrid(
  start: tf.Tensor2D,
  end: tf.Tensor2D,
  length: number,
  sourceSize: number,
): SamplingGrid {
  const size = tf.maximum(tf.add(tf.sub(end, start), 1), 1);
  const sourcePerPixel = tf.div(sourceSize, size);
  const pixel = tf.reshape(tf.range(0, length, 1, 'float32'), [1, length]);
  const offset = tf.sub(pixel, start);
  const inside = tf.cast(tf.logicalAnd(tf.greaterEqual(pixel, start), tf.lessEqual(pixel, end)), 'float32');
  const source = tf.relu(tf.sub(tf.mul(sourcePerPixel, tf.add(offset, 0.5)), 0.5));
  const lowFloat = tf.minimum(tf.floor(source), sourceSize - 1);
  const highWeight = tf.mul(tf.clipByValue(tf.sub(source, lowFloat), 0, 1), inside);
  const lowWeight = tf.mul(tf.sub(1, tf.clipByValue(tf.sub(source, lowFloat), 0, 1)), inside);
  const highIndex = tf.cast(tf.minimum(tf.add(lowFloat, 1), sourceSize - 1), 'int32');
  return {
    lowIndex: tf.cast(lowFloat, 'int32') as tf.Tensor2D,
    highIndex: highIndex as tf.Tensor2D,
    lowWeight: lowWeight as tf.Tensor2D,
    highWeight: highWeight as tf.Tensor2D,
  };
}
