import { type Boxes, ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CubicAxisWeights, cubicAxisWeights } from './bicubic-weights';

const f32 = Math.fround;

/** Options of {@link heatmapsToKeypoints}. */
export interface HeatmapsToKeypointsOptions {
  /**
   * Layout of `heatmaps`: `'nhwc'` `[R, H, W, K]` (this project's layout, what the keypoint
   * head returns; default) or `'nchw'` `[R, K, H, W]` (torchvision's keypoint_logits).
   */
  readonly layout?: 'nhwc' | 'nchw';
}

/** Keypoints decoded from heatmaps; the caller owns both tensors. */
export interface KeypointPredictions {
  /** `[R, K, 3]` float32: x, y in the boxes' pixels, and 1 (torchvision's visibility). */
  readonly keypoints: tf.Tensor3D;
  /** `[R, K]` float32: the resized heatmap's value (a logit) at the chosen position. */
  readonly scores: tf.Tensor2D;
}

/**
 * Keypoint coordinates and scores from heatmap logits, as
 * torchvision/models/detection/roi_heads.py::heatmaps_to_keypoints: each RoI's heatmaps
 * are resized bicubically (align_corners=False, A = -0.75) to `ceil(box height) x ceil(box width)`
 * (sides clamped to at least 1), the first maximum of each map is taken, and its
 * pixel centre (+0.5) is scaled back by `side / ceil(side)` and offset by the box corner.
 * The score is the resized map's value there.
 *
 * The resizes have one shape per RoI, so they run in JavaScript after a single read-back
 * of heatmaps and boxes together; the arithmetic follows torch's float32 separable
 * kernel (width taps first, then height).
 *
 * @param heatmaps `[R, H, W, K]` (or `[R, K, H, W]` with `layout: 'nchw'`) float32 logits; not disposed
 * @param boxes `[R, 4]` float32 xyxy pixels, the boxes the heatmaps were pooled from; not disposed
 * @returns keypoints `[R, K, 3]` and scores `[R, K]`; caller owns
 */
export async function heatmapsToKeypoints(
  heatmaps: tf.Tensor4D,
  boxes: Boxes,
  { layout = 'nhwc' }: HeatmapsToKeypointsOptions = {},
): Promise<KeypointPredictions> {
  ensure(
    heatmaps.rank === 4,
    'INVALID_SHAPE',
    () =>
      `heatmaps must be 4-D (${layout === 'nhwc' ? '[R, H, W, K]' : '[R, K, H, W]'}), got [${heatmaps.shape.join(', ')}]`,
  );
  ensure(
    layout === 'nhwc' || layout === 'nchw',
    'INVALID_ARGUMENT',
    () => `unknown layout '${String(layout)}'`,
  );
  const [rois, first, second, third] = heatmaps.shape;
  const [height, width, keypointCount] = layout === 'nhwc' ? [first, second, third] : [second, third, first];
  ensure(
    boxes.rank === 2 && boxes.shape[1] === 4 && boxes.shape[0] === rois,
    'INVALID_SHAPE',
    () => `boxes must have shape [R, 4] with R = ${rois} heatmaps, got [${boxes.shape.join(', ')}]`,
  );
  ensure(height > 0 && width > 0, 'INVALID_SHAPE', () => 'heatmaps must have a non-empty spatial size');
  if (rois === 0 || keypointCount === 0) {
    return { keypoints: tf.zeros([rois, keypointCount, 3]), scores: tf.zeros([rois, keypointCount]) };
  }
  const packed = tf.tidy(() =>
    tf.concat([tf.reshape(tf.cast(heatmaps, 'float32'), [-1]), tf.reshape(tf.cast(boxes, 'float32'), [-1])]),
  );
  let values: Float32Array;
  try {
    values = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
  const mapValues = values.subarray(0, rois * height * width * keypointCount);
  const boxValues = values.subarray(mapValues.length);
  const strides =
    layout === 'nhwc'
      ? { roi: height * width * keypointCount, keypoint: 1, y: width * keypointCount, x: keypointCount }
      : { roi: keypointCount * height * width, keypoint: height * width, y: width, x: 1 };
  const keypoints = new Float32Array(rois * keypointCount * 3);
  const scores = new Float32Array(rois * keypointCount);
  const axisCache = new Map<string, CubicAxisWeights>();
  const axis = (inputSize: number, outputSize: number) => {
    const key = `${inputSize}:${outputSize}`;
    let found = axisCache.get(key);
    if (!found) axisCache.set(key, (found = cubicAxisWeights(inputSize, outputSize)));
    return found;
  };
  for (let r = 0; r < rois; r++) {
    const [x1, y1, x2, y2] = boxValues.subarray(r * 4, r * 4 + 4) as unknown as [
      number,
      number,
      number,
      number,
    ];
    const boxWidth = Math.max(f32(x2 - x1), 1);
    const boxHeight = Math.max(f32(y2 - y1), 1);
    const outWidth = Math.ceil(boxWidth);
    const outHeight = Math.ceil(boxHeight);
    const widthCorrection = f32(boxWidth / outWidth);
    const heightCorrection = f32(boxHeight / outHeight);
    const columns = axis(width, outWidth);
    const rows = axis(height, outHeight);
    const alongWidth = new Float32Array(height * outWidth);
    for (let k = 0; k < keypointCount; k++) {
      const base = r * strides.roi + k * strides.keypoint;
      resizeWidth(mapValues, base, strides.y, strides.x, height, columns, outWidth, alongWidth);
      const [bestIndex, bestValue] = resizeHeightArgmax(alongWidth, rows, outHeight, outWidth);
      const xInt = bestIndex % outWidth;
      const yInt = (bestIndex - xInt) / outWidth;
      const out = (r * keypointCount + k) * 3;
      keypoints[out] = f32(f32((xInt + 0.5) * widthCorrection) + x1);
      keypoints[out + 1] = f32(f32((yInt + 0.5) * heightCorrection) + y1);
      keypoints[out + 2] = 1;
      scores[r * keypointCount + k] = bestValue;
    }
  }
  return {
    keypoints: tf.tensor3d(keypoints, [rois, keypointCount, 3]),
    scores: tf.tensor2d(scores, [rois, keypointCount]),
  };
}

/** Width pass for one map: `out[y, x] = sum_j w_j(x) * map[y, tap_j(x)]`, float32 running sum. */
function resizeWidth(
  map: Float32Array,
  base: number,
  strideY: number,
  strideX: number,
  height: number,
  columns: CubicAxisWeights,
  outWidth: number,
  out: Float32Array,
): void {
  const { indices, weights } = columns;
  for (let y = 0; y < height; y++) {
    const row = base + y * strideY;
    for (let x = 0; x < outWidth; x++) {
      const tap = x * 4;
      let sum = f32(map[row + indices[tap]! * strideX]! * weights[tap]!);
      sum = f32(sum + f32(map[row + indices[tap + 1]! * strideX]! * weights[tap + 1]!));
      sum = f32(sum + f32(map[row + indices[tap + 2]! * strideX]! * weights[tap + 2]!));
      out[y * outWidth + x] = f32(sum + f32(map[row + indices[tap + 3]! * strideX]! * weights[tap + 3]!));
    }
  }
}

/**
 * Height pass fused with argmax: the resized map is never stored. Returns the flat index
 * of the first maximum (row-major, torch.argmax's tie rule) and its value.
 */
function resizeHeightArgmax(
  alongWidth: Float32Array,
  rows: CubicAxisWeights,
  outHeight: number,
  outWidth: number,
): [number, number] {
  const { indices, weights } = rows;
  let bestIndex = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let y = 0; y < outHeight; y++) {
    const tap = y * 4;
    const row0 = indices[tap]! * outWidth;
    const row1 = indices[tap + 1]! * outWidth;
    const row2 = indices[tap + 2]! * outWidth;
    const row3 = indices[tap + 3]! * outWidth;
    const [w0, w1, w2, w3] = [weights[tap]!, weights[tap + 1]!, weights[tap + 2]!, weights[tap + 3]!];
    for (let x = 0; x < outWidth; x++) {
      let sum = f32(alongWidth[row0 + x]! * w0);
      sum = f32(sum + f32(alongWidth[row1 + x]! * w1));
      sum = f32(sum + f32(alongWidth[row2 + x]! * w2));
      sum = f32(sum + f32(alongWidth[row3 + x]! * w3));
      if (sum > bestValue) {
        bestValue = sum;
        bestIndex = y * outWidth + x;
      }
    }
  }
  return [bestIndex, bestValue];
}
