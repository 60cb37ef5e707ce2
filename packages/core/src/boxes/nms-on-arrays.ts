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
  const areas = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const b = i * 4;
    areas[i] = f32(boxes[b + 2]! - boxes[b]!) * f32(boxes[b + 3]! - boxes[b + 1]!);
  }
  const order = argsortDescending(scores, { stable: true });
  const suppressed = new Uint8Array(n);
  const keep = new Int32Array(n);
  let kept = 0;
  for (let rank = 0; rank < n; rank++) {
    const i = order[rank]!;
    if (suppressed[i]) continue;
    keep[kept++] = i;
    const bi = i * 4;
    const x1 = boxes[bi]!;
    const y1 = boxes[bi + 1]!;
    const x2 = boxes[bi + 2]!;
    const y2 = boxes[bi + 3]!;
    const area = areas[i]!;
    for (let later = rank + 1; later < n; later++) {
      const j = order[later]!;
      if (suppressed[j]) continue;
      const bj = j * 4;
      // std::max/std::min keep the first operand unless the second compares strictly past it.
      const left = x1 < boxes[bj]! ? boxes[bj]! : x1;
      const top = y1 < boxes[bj + 1]! ? boxes[bj + 1]! : y1;
      const right = boxes[bj + 2]! < x2 ? boxes[bj + 2]! : x2;
      const bottom = boxes[bj + 3]! < y2 ? boxes[bj + 3]! : y2;
      const width = f32(right - left);
      const height = f32(bottom - top);
      const intersection = f32((width > 0 ? width : 0) * (height > 0 ? height : 0));
      const overlap = f32(intersection / f32(f32(area + areas[j]!) - intersection));
      if (overlap > iouThreshold) suppressed[j] = 1;
    }
  }
  return keep.slice(0, kept);
}
