import * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';
import type { Boxes } from '../types/boxes';
import { argsortDescending } from './argsort-descending';
import { nmsOnArrays } from './nms-on-arrays';
import { checkBoxes, checkIouThreshold, checkPerBox } from './validate';

/** torchvision switches from the offset trick to a per-class loop above this many box coordinates on CPU. */
const PER_CLASS_ABOVE_COORDINATES = 4000;

const f32 = Math.fround;

/**
 * NMS within each class (boxes of different classes never suppress each other), with
 * torchvision.ops.boxes.batched_nms's exact results on CPU, including its two code
 * paths: up to 1000 boxes it shifts each class by `classId * (max coordinate + 1)` and
 * runs one NMS (so, as in torchvision, classes can interact when coordinates are
 * below -1); above 1000 it runs NMS per class and re-sorts the union by score with
 * torch.sort's tie order. One read-back (boxes, scores and classes together).
 *
 * @param boxes `[N, 4]` float32, xyxy absolute pixels; not disposed
 * @param scores `[N]` float32; not disposed
 * @param classIds `[N]` int32 (or integral float32) class of each box; not disposed
 * @param iouThreshold boxes overlapping a kept box of the same class by more than this are dropped
 * @returns `[K]` int32 indices into `boxes`, by decreasing score; caller owns
 */
export async function batchedNms(
  boxes: Boxes,
  scores: tf.Tensor1D,
  classIds: tf.Tensor1D,
  iouThreshold: number,
): Promise<tf.Tensor1D> {
  checkBoxes(boxes);
  const n = boxes.shape[0];
  checkPerBox(scores, n, 'scores');
  checkPerBox(classIds, n, 'classIds');
  checkIouThreshold(iouThreshold);
  if (n === 0) return tf.tensor1d([], 'int32');
  const packed = tf.tidy(() =>
    tf.concat(
      [
        tf.cast(boxes, 'float32'),
        tf.expandDims(tf.cast(scores, 'float32'), 1),
        tf.expandDims(tf.cast(classIds, 'float32'), 1),
      ],
      1,
    ),
  );
  let values: Float32Array;
  try {
    values = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
  const flatBoxes = new Float32Array(n * 4);
  const flatScores = new Float32Array(n);
  const classes = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    flatBoxes.set(values.subarray(i * 6, i * 6 + 4), i * 4);
    flatScores[i] = values[i * 6 + 4]!;
    classes[i] = values[i * 6 + 5]!;
  }
  return tf.tensor1d(batchedNmsOnArrays(flatBoxes, flatScores, classes, iouThreshold), 'int32');
}

/**
 * {@link batchedNms} on values already read back (no tensors, no read-back): for callers that
 * read boxes and scores together with other data in one transfer.
 * @param boxes `4N` float32 xyxy, box-major
 * @param scores `N` float32
 * @param classes `N` class of each box (integral values)
 * @returns indices into the boxes, by decreasing score
 */
export function batchedNmsOnArrays(
  boxes: Float32Array,
  scores: Float32Array,
  classes: Float32Array,
  iouThreshold: number,
): Int32Array {
  checkIouThreshold(iouThreshold);
  const n = scores.length;
  ensure(
    boxes.length === n * 4 && classes.length === n,
    'INVALID_SHAPE',
    () => `batchedNmsOnArrays: ${boxes.length} box values and ${classes.length} classes for ${n} scores`,
  );
  return n * 4 > PER_CLASS_ABOVE_COORDINATES
    ? batchedNmsPerClass(boxes, scores, classes, iouThreshold)
    : batchedNmsWithOffsets(boxes, scores, classes, iouThreshold);
}

/** torchvision `_batched_nms_coordinate_trick`, in float32 like torch. */
function batchedNmsWithOffsets(
  boxes: Float32Array,
  scores: Float32Array,
  classes: Float32Array,
  iouThreshold: number,
): Int32Array {
  let maxCoordinate = Number.NEGATIVE_INFINITY;
  for (const value of boxes) {
    // torch.max propagates NaN.
    if (Number.isNaN(value) || Number.isNaN(maxCoordinate)) maxCoordinate = Number.NaN;
    else if (value > maxCoordinate) maxCoordinate = value;
  }
  const spacing = f32(maxCoordinate + 1);
  const shifted = new Float32Array(boxes.length);
  for (let i = 0; i < classes.length; i++) {
    const offset = f32(classes[i]! * spacing);
    for (let k = 0; k < 4; k++) shifted[i * 4 + k] = boxes[i * 4 + k]! + offset;
  }
  return nmsOnArrays(shifted, scores, iouThreshold);
}

/** torchvision `_batched_nms_vanilla`: NMS per class (classes ascending), then the kept set sorted by score. */
function batchedNmsPerClass(
  boxes: Float32Array,
  scores: Float32Array,
  classes: Float32Array,
  iouThreshold: number,
): Int32Array {
  const members = new Map<number, number[]>();
  for (let i = 0; i < classes.length; i++) {
    const list = members.get(classes[i]!);
    if (list) list.push(i);
    else members.set(classes[i]!, [i]);
  }
  const kept = new Uint8Array(classes.length);
  for (const indices of members.values()) {
    const classBoxes = new Float32Array(indices.length * 4);
    const classScores = new Float32Array(indices.length);
    indices.forEach((index, position) => {
      classBoxes.set(boxes.subarray(index * 4, index * 4 + 4), position * 4);
      classScores[position] = scores[index]!;
    });
    for (const position of nmsOnArrays(classBoxes, classScores, iouThreshold)) kept[indices[position]!] = 1;
  }
  // torch.where gives the kept indices ascending; their scores are then sorted (unstable, torch order).
  const keptIndices: number[] = [];
  for (let i = 0; i < kept.length; i++) if (kept[i]) keptIndices.push(i);
  const keptScores = Float32Array.from(keptIndices, (index) => scores[index]!);
  return Int32Array.from(argsortDescending(keptScores), (position) => keptIndices[position]!);
}
