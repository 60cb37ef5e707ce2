import * as tf from '@tensorflow/tfjs-core';
import type { Boxes } from '../types/boxes';
import { nmsOnArrays } from './nms-on-arrays';
import { checkBoxes, checkIouThreshold, checkPerBox } from './validate';

/**
 * Non-maximum suppression with exactly torchvision.ops.nms's CPU semantics
 * (torchvision/csrc/ops/cpu/nms_kernel.cpp): a box is dropped when its IoU with a
 * kept, higher-scoring box is strictly greater than `iouThreshold`; equal scores are
 * visited in index order (0.14's kernel sorts with stable=True; NaN scores first);
 * float32 arithmetic as the kernel does it.
 * tfjs's own NMS is not used: it suppresses on IoU >= threshold, takes yxyx boxes and
 * a maximum output size, and orders ties differently. One read-back (boxes + scores).
 *
 * @param boxes `[N, 4]` float32, xyxy absolute pixels; not disposed
 * @param scores `[N]` float32; not disposed
 * @param iouThreshold boxes overlapping a kept box by more than this are dropped
 * @returns `[K]` int32 indices into `boxes`, by decreasing score; caller owns
 */
export async function nms(boxes: Boxes, scores: tf.Tensor1D, iouThreshold: number): Promise<tf.Tensor1D> {
  checkBoxes(boxes);
  checkPerBox(scores, boxes.shape[0], 'scores');
  checkIouThreshold(iouThreshold);
  const n = boxes.shape[0];
  if (n === 0) return tf.tensor1d([], 'int32');
  const packed = tf.tidy(() =>
    tf.concat([tf.cast(boxes, 'float32'), tf.expandDims(tf.cast(scores, 'float32'), 1)], 1),
  );
  let values: Float32Array;
  try {
    values = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
  const flatBoxes = new Float32Array(n * 4);
  const flatScores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    flatBoxes.set(values.subarray(i * 5, i * 5 + 4), i * 4);
    flatScores[i] = values[i * 5 + 4]!;
  }
  return tf.tensor1d(nmsOnArrays(flatBoxes, flatScores, iouThreshold), 'int32');
}
