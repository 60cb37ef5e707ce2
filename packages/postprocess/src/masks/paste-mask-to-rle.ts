import { rleToJson } from '@rcnn/coco-eval';
import { type CompressedRle, ensure, type ImageSize } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Bilinear sampling of `outSize` pixels from `inSize` (half-pixel centres, TF/torch align_corners=False). */
function samplingAxis(inSize: number, outSize: number) {
  const low = new Int32Array(outSize);
  const high = new Int32Array(outSize);
  const fraction = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const at = Math.max(0, (i + 0.5) * scale - 0.5);
    low[i] = Math.min(Math.floor(at), inSize - 1);
    high[i] = Math.min(low[i]! + 1, inSize - 1);
    fraction[i] = at - low[i]!;
  }
  return { low, high, fraction };
}

/** COCO run-length counts built in column-major order, runs of zeros added in one step. */
class RunCounter {
  readonly counts: number[] = [];
  #value = 0;
  #run = 0;
  add(bit: number, length = 1): void {
    if (length === 0) return;
    if (bit === this.#value) {
      this.#run += length;
    } else {
      this.counts.push(this.#run);
      this.#value = bit;
      this.#run = length;
    }
  }
  finish(): Uint32Array {
    this.counts.push(this.#run);
    return Uint32Array.from(this.counts);
  }
}

/**
 * One per-RoI mask pasted into an image and thresholded, straight to COCO compressed RLE,
 * touching only the pixels of its box: torchvision's `paste_masks_in_image` (padding 1: the
 * `M x M` mask zero-padded to `M + 2`, the box scaled by `(M + 2) / M` about its centre and
 * truncated to integers, the mask resized bilinearly onto it), then `> threshold`. No
 * image-sized buffer: on cpu and wasm this is far faster than pasting tensors
 * ({@link pasteMasksPerInstance}) and then thresholding and encoding them, and it suits huge
 * images. Computed in float64 rather than float32, so a pixel whose probability is within ~1e-6
 * of the threshold may differ from the tensor paste.
 * @param mask `side * side` probabilities, row-major (one row of the predictor's `[N, M, M]`)
 * @param box `[x1, y1, x2, y2]` in the image's pixels
 * @param imageSize `[height, width]` of the image pasted into
 * @param threshold foreground is probability strictly above it (torchvision's reference scripts: 0.5)
 */
export function pasteMaskToRle(
  mask: ArrayLike<number>,
  side: number,
  box: ArrayLike<number>,
  [height, width]: ImageSize,
  threshold = 0.5,
): CompressedRle {
  ensure(
    Number.isInteger(side) && side > 0 && mask.length >= side * side,
    'INVALID_SHAPE',
    () => `mask must hold side * side = ${side * side} probabilities, got ${mask.length}`,
  );
  ensure(
    Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0,
    'INVALID_SHAPE',
    () => `imageSize must be two positive integers, got [${height}, ${width}]`,
  );
  ensure(
    box.length === 4 && Array.from(box).every(Number.isFinite),
    'INVALID_ARGUMENT',
    () => `box must be four finite numbers [x1, y1, x2, y2], got [${Array.from(box).join(', ')}]`,
  );
  // The mask zero-padded by one pixel on every side, as torchvision pads it before resizing.
  const padded = side + 2;
  const values = new Float64Array(padded * padded);
  for (let row = 0; row < side; row++) {
    for (let column = 0; column < side; column++) {
      values[(row + 1) * padded + column + 1] = mask[row * side + column]!;
    }
  }
  const [x1, y1, x2, y2] = [box[0]!, box[1]!, box[2]!, box[3]!];
  const scale = Math.fround(padded / side);
  const halfWidth = (x2 - x1) * 0.5 * scale;
  const halfHeight = (y2 - y1) * 0.5 * scale;
  const [centreX, centreY] = [(x2 + x1) * 0.5, (y2 + y1) * 0.5];
  const [left, top] = [Math.trunc(centreX - halfWidth), Math.trunc(centreY - halfHeight)];
  const [right, bottom] = [Math.trunc(centreX + halfWidth), Math.trunc(centreY + halfHeight)];
  const boxWidth = Math.max(right - left + 1, 1);
  const boxHeight = Math.max(bottom - top + 1, 1);
  const [x0, xEnd] = [Math.max(left, 0), Math.min(right + 1, width)];
  const [y0, yEnd] = [Math.max(top, 0), Math.min(bottom + 1, height)];
  const runs = new RunCounter();
  if (xEnd <= x0 || yEnd <= y0) {
    runs.add(0, height * width);
    return rleToJson({ height, width, counts: runs.finish() });
  }
  const columns = samplingAxis(padded, boxWidth);
  const rows = samplingAxis(padded, boxHeight);
  runs.add(0, x0 * height);
  for (let x = x0; x < xEnd; x++) {
    const u = x - left;
    const c0 = columns.low[u]!;
    const c1 = columns.high[u]!;
    const fx = columns.fraction[u]!;
    runs.add(0, y0);
    for (let y = y0; y < yEnd; y++) {
      const v = y - top;
      const row0 = rows.low[v]! * padded;
      const row1 = rows.high[v]! * padded;
      const upper = values[row0 + c0]! + (values[row0 + c1]! - values[row0 + c0]!) * fx;
      const lower = values[row1 + c0]! + (values[row1 + c1]! - values[row1 + c0]!) * fx;
      runs.add(upper + (lower - upper) * rows.fraction[v]! > threshold ? 1 : 0);
    }
    runs.add(0, height - yEnd);
  }
  runs.add(0, (width - xEnd) * height);
  return rleToJson({ height, width, counts: runs.finish() });
}

/**
 * Every per-RoI mask of one image pasted straight to RLE ({@link pasteMaskToRle}), from one
 * read-back of the `[N, M, M]` probabilities: what `rcnn predict` and the web app do with
 * `GeneralizedRcnn.predict`'s masks.
 * @param masks `[N, M, M]` probabilities; not disposed
 * @param boxes one `[x1, y1, x2, y2]` per mask, in the image's pixels (e.g. the downloaded boxes)
 * @param imageSize `[height, width]` of the image pasted into
 */
export async function pasteMasksToRle(
  masks: tf.Tensor3D,
  boxes: readonly ArrayLike<number>[],
  imageSize: ImageSize,
  threshold = 0.5,
): Promise<CompressedRle[]> {
  const [count, side] = masks.shape;
  ensure(
    boxes.length === count && masks.shape[2] === side,
    'INVALID_SHAPE',
    () =>
      `masks must be [N, M, M] with one box each, got [${masks.shape.join(', ')}] and ${boxes.length} boxes`,
  );
  const probabilities = await masks.data();
  return boxes.map((box, i) =>
    pasteMaskToRle(
      probabilities.subarray(i * side * side, (i + 1) * side * side),
      side,
      box,
      imageSize,
      threshold,
    ),
  );
}
