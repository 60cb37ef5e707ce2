import { argsortDescending } from './argsort-descending';

const f32 = Math.fround;

/**
 * Greedy NMS on downloaded arrays with torchvision's CPU kernel semantics
 * (torchvision/csrc/ops/cpu/nms_kernel.cpp in 0.14): visit boxes by decreasing score
 * (a stable sort there: equal scores in index order, NaN first), suppress a later box when IoU > threshold (strict),
 * every intermediate rounded to float32 as the kernel computes it, the IoU compared
 * to the threshold in float64. Zero-area and inverted boxes go through the same
 * formula (a NaN IoU never suppresses).
 *
 * @param boxes flat `[N * 4]` xyxy, float32 values
 * @param scores `[N]`
 * @returns kept indices into `boxes`, by decreasing score
 */
export function nmsOnArrays(
  boxes: Float32Array,
  scores: ArrayLike<number>,
  iouThreshold: number,
): Int32Array {
  const n = scores.length;
  if (n === 0) return new Int32Array(0);
  const order = argsortDescending(scores, { stable: true });
  // Coordinates and areas laid out in visiting order, so the inner loop reads memory sequentially.
  const x1 = new Float32Array(n);
  const y1 = new Float32Array(n);
  const x2 = new Float32Array(n);
  const y2 = new Float32Array(n);
  const areas = new Float32Array(n);
  for (let rank = 0; rank < n; rank++) {
    const b = order[rank]! * 4;
    x1[rank] = boxes[b]!;
    y1[rank] = boxes[b + 1]!;
    x2[rank] = boxes[b + 2]!;
    y2[rank] = boxes[b + 3]!;
    areas[rank] = f32(x2[rank]! - x1[rank]!) * f32(y2[rank]! - y1[rank]!);
  }
  const suppressed = new Uint8Array(n);
  const keep = new Int32Array(n);
  let kept = 0;
  for (let rank = 0; rank < n; rank++) {
    if (suppressed[rank]) continue;
    keep[kept++] = order[rank]!;
    const left = x1[rank]!;
    const top = y1[rank]!;
    const right = x2[rank]!;
    const bottom = y2[rank]!;
    const area = areas[rank]!;
    for (let later = rank + 1; later < n; later++) {
      if (suppressed[later]) continue;
      // std::max/std::min keep the first operand unless the second compares strictly past it.
      const innerLeft = left < x1[later]! ? x1[later]! : left;
      const innerTop = top < y1[later]! ? y1[later]! : top;
      const innerRight = x2[later]! < right ? x2[later]! : right;
      const innerBottom = y2[later]! < bottom ? y2[later]! : bottom;
      const width = f32(innerRight - innerLeft);
      const height = f32(innerBottom - innerTop);
      const intersection = f32((width > 0 ? width : 0) * (height > 0 ? height : 0));
      const overlap = f32(intersection / f32(f32(area + areas[later]!) - intersection));
      if (overlap > iouThreshold) suppressed[later] = 1;
    }
  }
  return keep.slice(0, kept);
}
