import { type BoxArray, type DetectedInstance, ensure, type Instances, validateInstances } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { encodeColumnMajorMask } from '../masks/coco-rle';
import { packedLength, packMasksColumnMajor, unpackMask } from '../masks/mask-bits';

/** Options of {@link toDetectedInstances}. */
export interface ToDetectedInstancesOptions {
  /** Mask pixels with probability strictly above this are foreground (0.5, as torchvision's reference scripts). */
  readonly maskThreshold?: number;
  /** Names indexed by label (torchvision's COCO list has `'__background__'` at 0); sets `categoryName`. */
  readonly categoryNames?: readonly string[];
}

/**
 * Downloads one image's detections into plain objects for apps (boxes as numbers, masks as
 * COCO compressed RLE, keypoints as `[x, y, score]`), with a single read-back: boxes,
 * scores, labels, keypoints and the thresholded masks (bit-packed on the device) travel
 * in one float32 buffer.
 *
 * @param instances one image's detections; `masks`, when present, must already be pasted
 *   into the image (`[N, H, W]` with `[H, W]` = `instances.imageSize`, see {@link pasteMasks}).
 *   Keypoint scores come from `keypointScores` when present, else from the keypoints' third column.
 *   Not disposed.
 * @returns one {@link DetectedInstance} per detection, in order
 */
export async function toDetectedInstances(
  instances: Instances,
  { maskThreshold = 0.5, categoryNames }: ToDetectedInstancesOptions = {},
): Promise<DetectedInstance[]> {
  validateInstances(instances);
  const count = instances.boxes.shape[0];
  const [height, width] = instances.imageSize;
  const { masks, keypoints, keypointScores } = instances;
  if (masks) {
    ensure(
      masks.shape[1] === height && masks.shape[2] === width,
      'INVALID_SHAPE',
      () =>
        `masks are ${masks.shape[1]}x${masks.shape[2]} but the image is ${height}x${width}: paste them first (pasteMasks)`,
    );
  }
  ensure(
    Number.isFinite(maskThreshold),
    'INVALID_ARGUMENT',
    () => `maskThreshold must be finite, got ${maskThreshold}`,
  );
  if (count === 0) return [];
  const keypointCount = keypoints ? keypoints.shape[1] : 0;
  const packed = tf.tidy(() => {
    const parts: tf.Tensor[] = [
      instances.boxes,
      instances.scores,
      instances.labels,
      ...(keypoints ? [keypoints] : []),
      ...(keypoints && keypointScores ? [keypointScores] : []),
    ].map((tensor) => tf.reshape(tf.cast(tensor, 'float32'), [-1]));
    if (masks) parts.push(packMasksColumnMajor(tf.greater(masks, maskThreshold) as tf.Tensor3D));
    return tf.concat(parts);
  });
  let values: Float32Array;
  try {
    values = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
  let offset = 0;
  const take = (length: number) => values.subarray(offset, (offset += length));
  const boxes = take(count * 4);
  const scores = take(count);
  const labels = take(count);
  const points = keypoints ? take(count * keypointCount * 3) : undefined;
  const pointScores = keypoints && keypointScores ? take(count * keypointCount) : undefined;
  const maskBits = masks ? take(count * packedLength(height, width)) : undefined;
  const maskBuffer = new Uint8Array(height * width);
  return Array.from({ length: count }, (_, i) => {
    const label = labels[i]!;
    const detected: DetectedInstance = {
      box: Array.from(boxes.subarray(i * 4, i * 4 + 4)) as BoxArray,
      score: scores[i]!,
      label,
    };
    const name = categoryNames?.[label];
    if (name !== undefined) detected.categoryName = name;
    if (maskBits) {
      const bits = unpackMask(maskBits, i * packedLength(height, width), maskBuffer);
      detected.mask = encodeColumnMajorMask(bits, height, width);
    }
    if (points) {
      detected.keypoints = Array.from({ length: keypointCount }, (_, k) => {
        const at = (i * keypointCount + k) * 3;
        const score = pointScores ? pointScores[i * keypointCount + k]! : points[at + 2]!;
        return [points[at]!, points[at + 1]!, score] as [number, number, number];
      });
    }
    return detected;
  });
}
