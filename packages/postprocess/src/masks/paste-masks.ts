import { type Boxes, ensure, type ImageSize } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

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
 * outside the box get zero weight. Resizing is then two batched gathers per axis, with
 * the same source coordinates, neighbours and weights torch uses, so the op graph has
 * fixed shapes (`N`, `M`, image size) and needs no read-back.
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
  ensure(
    masks.rank === 3 && masks.shape[1] === masks.shape[2] && masks.shape[1] > 0,
    'INVALID_SHAPE',
    () =>
      `masks must have shape [N, M, M] (square, as torchvision's scale assumes), got [${masks.shape.join(', ')}]`,
  );
  ensure(
    boxes.rank === 2 && boxes.shape[1] === 4 && boxes.shape[0] === masks.shape[0],
    'INVALID_SHAPE',
    () => `boxes must have shape [N, 4] with N = ${masks.shape[0]} masks, got [${boxes.shape.join(', ')}]`,
  );
  const [height, width] = imageSize;
  ensure(
    Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0,
    'INVALID_ARGUMENT',
    () => `imageSize must be [height, width] with positive integers, got [${imageSize.join(', ')}]`,
  );
  ensure(
    Number.isInteger(padding) && padding >= 0,
    'INVALID_ARGUMENT',
    () => `padding must be a non-negative integer, got ${padding}`,
  );
  const count = masks.shape[0];
  if (count === 0) return tf.zeros([0, height, width]);
  const side = masks.shape[1];
  const paddedSide = side + 2 * padding;
  // torch multiplies float32 box sizes by the Python float scale rounded to float32.
  const scale = Math.fround(paddedSide / side);
  return tf.tidy(() => {
    const padded = tf.pad(tf.cast(masks, 'float32'), [
      [0, 0],
      [padding, padding],
      [padding, padding],
    ]) as tf.Tensor3D;
    const [x1, y1, x2, y2] = expandedIntegerBoxes(boxes, scale);
    const columns = samplingGrid(x1, x2, width, paddedSide);
    const rows = samplingGrid(y1, y2, height, paddedSide);
    // Width first, then height: torch's separable order (value = sum_rows w_r * sum_cols w_c * p).
    // [N, S(x), S(y)]: each gathered row is one column of a padded mask.
    const maskColumns = tf.transpose(padded, [0, 2, 1]) as tf.Tensor3D;
    const alongWidth = interpolateRows(maskColumns, columns, width); // [N, width, S(y)]
    return interpolateRows(tf.transpose(alongWidth, [0, 2, 1]) as tf.Tensor3D, rows, height); // [N, height, width]
  });
}

/**
 * torchvision expand_boxes then `.to(torch.int64)`: the box scaled about its centre in
 * float32, truncated toward zero (written as sign * floor(|x|) so every backend agrees).
 * Returns `[N, 1]` float32 columns holding integers. Call inside tidy.
 */
function expandedIntegerBoxes(boxes: Boxes, scale: number): tf.Tensor2D[] {
  const [x1, y1, x2, y2] = tf.unstack(tf.cast(boxes, 'float32'), 1) as tf.Tensor1D[];
  const halfWidth = tf.mul(tf.mul(tf.sub(x2!, x1!), 0.5), scale);
  const halfHeight = tf.mul(tf.mul(tf.sub(y2!, y1!), 0.5), scale);
  const centreX = tf.mul(tf.add(x2!, x1!), 0.5);
  const centreY = tf.mul(tf.add(y2!, y1!), 0.5);
  const truncate = (value: tf.Tensor) => tf.expandDims(tf.mul(tf.sign(value), tf.floor(tf.abs(value))), 1);
  return [
    truncate(tf.sub(centreX, halfWidth)),
    truncate(tf.sub(centreY, halfHeight)),
    truncate(tf.add(centreX, halfWidth)),
    truncate(tf.add(centreY, halfHeight)),
  ] as tf.Tensor2D[];
}

/**
 * `out[n, i, :] = lowWeight[n, i] * source[n, lowIndex[n, i], :] + highWeight[n, i] * source[n, highIndex[n, i], :]`
 * for source `[N, S, C]`, giving `[N, length, C]`. Written as axis-0 gathers on the
 * flattened `[N * S, C]` source because tfjs-backend-wasm 4.22's GatherV2 returns wrong
 * rows for batchDims = 1 beyond the first batch. Call inside tidy.
 */
function interpolateRows(source: tf.Tensor3D, grid: SamplingGrid, length: number): tf.Tensor3D {
  const [count, sourceSize, channels] = source.shape;
  const flat = tf.reshape(source, [count * sourceSize, channels]);
  const batchStart = tf.reshape(tf.range(0, count * sourceSize, sourceSize, 'int32'), [count, 1]);
  const pick = (index: tf.Tensor2D, weight: tf.Tensor2D) =>
    tf.mul(
      tf.reshape(tf.gather(flat, tf.reshape(tf.add(index, batchStart), [-1])), [count, length, channels]),
      tf.expandDims(weight, 2),
    );
  return tf.add(pick(grid.lowIndex, grid.lowWeight), pick(grid.highIndex, grid.highWeight)) as tf.Tensor3D;
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
