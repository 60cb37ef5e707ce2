import { type Boxes, ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type IndexInput, toIndexTensor } from '../layers/index-tensors';

/** Inputs of {@link maskAreaRatios} for one image. */
export interface MaskAreaRatiosInputs {
  /** `[G, H, W]` float32 binary GT masks. */
  readonly gtMasks: tf.Tensor3D;
  /** `[P, 4]` positive proposals, xyxy pixels. */
  readonly proposals: Boxes;
  /** `[P]` int32 matched GT index. */
  readonly matchedGtIndices: IndexInput;
}

/**
 * For each positive proposal, the fraction of its matched GT mask's area that lies inside
 * the proposal (Mask Scoring R-CNN's area ratio, as mmdetection `MaskIoUHead._get_area_ratio`:
 * the box is truncated to integers and includes its right/bottom pixel, `mask[y1:y2+1, x1:x2+1]`).
 * Lets {@link maskIouTargets} measure IoU against the whole instance, not only its part in
 * the box. Integral images + four gathers, no read-back. An empty GT mask gives 0.
 * Inputs are not disposed. @returns `[P]` float32; caller owns.
 */
export function maskAreaRatios({ gtMasks, proposals, matchedGtIndices }: MaskAreaRatiosInputs): tf.Tensor1D {
  ensure(
    gtMasks.rank === 3,
    'INVALID_SHAPE',
    () => `maskAreaRatios expects gtMasks [G, H, W], got [${gtMasks.shape.join(', ')}]`,
  );
  const count = proposals.shape[0];
  const [numMasks, height, width] = gtMasks.shape;
  return tf.tidy(() => {
    const indices = toIndexTensor('maskAreaRatios matchedGtIndices', matchedGtIndices, count);
    if (count === 0) return tf.zeros([0]) as tf.Tensor1D;
    ensure(numMasks > 0, 'INVALID_ARGUMENT', () => 'maskAreaRatios got positive proposals but no GT masks');
    // integral[g, y, x] = sum of mask[g, :y, :x] (exact in float32 below 2^24 pixels)
    const masks = tf.cast(gtMasks, 'float32');
    const integral = tf.pad(tf.cumsum(tf.cumsum(masks, 1), 2), [
      [0, 0],
      [1, 0],
      [1, 0],
    ]);
    const fullArea = tf.gather(tf.sum(masks, [1, 2]), indices);
    const [x1, y1, x2, y2] = tf.unstack(tf.cast(proposals, 'float32'), 1) as tf.Tensor1D[];
    // numpy `astype(int32)` truncates toward zero; slices clamp to the array. (min/max, not
    // clipByValue: the wasm ClipByValue kernel ignores the upper bound on int32 in tfjs 4.22.)
    const start = (value: tf.Tensor1D, limit: number) =>
      tf.maximum(
        tf.minimum(tf.cast(value, 'int32'), tf.scalar(limit, 'int32')),
        tf.scalar(0, 'int32'),
      ) as tf.Tensor1D;
    const left = start(x1!, width);
    const top = start(y1!, height);
    const right = tf.maximum(start(tf.add(x2!, 1) as tf.Tensor1D, width), left) as tf.Tensor1D;
    const bottom = tf.maximum(start(tf.add(y2!, 1) as tf.Tensor1D, height), top) as tf.Tensor1D;
    const at = (row: tf.Tensor1D, column: tf.Tensor1D) =>
      tf.gatherND(integral, tf.stack([indices, row, column], 1)) as tf.Tensor1D;
    const inside = tf.add(tf.sub(tf.sub(at(bottom, right), at(top, right)), at(bottom, left)), at(top, left));
    return tf.div(inside, tf.add(fullArea, 1e-7)) as tf.Tensor1D;
  });
}
