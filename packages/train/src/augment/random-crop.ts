import type { TrainingSample } from '../data/training-sample';
import type { SeededRng } from '../random/seeded-rng';

/** Options of {@link randomCrop}. */
export interface RandomCropOptions {
  /** Smallest crop side as a fraction of the image side. Default 0.5. */
  readonly minScale?: number;
  /** Tries to find a crop keeping at least one instance before giving up (sample unchanged). Default 10. */
  readonly attempts?: number;
}

/**
 * Crops a random window (each side `minScale..1` of the image's, position uniform), keeping the
 * instances whose boxes, clipped to the window, remain at least 1 px wide and high; masks are
 * cropped, keypoints shifted (those outside the window become unlabelled: 0, 0, 0).
 * When no window within `attempts` keeps an instance, the sample is returned unchanged.
 * @returns a new sample, or `sample` itself when not cropped
 */
export function randomCrop(
  sample: TrainingSample,
  rng: SeededRng,
  options: RandomCropOptions = {},
): TrainingSample {
  const minScale = options.minScale ?? 0.5;
  const { width, height } = sample;
  const n = sample.labels.length;
  for (let attempt = 0; attempt < (options.attempts ?? 10); attempt++) {
    const cw = Math.max(1, Math.round(width * (minScale + (1 - minScale) * rng.next())));
    const ch = Math.max(1, Math.round(height * (minScale + (1 - minScale) * rng.next())));
    const left = rng.int(width - cw + 1);
    const top = rng.int(height - ch + 1);
    const keep: number[] = [];
    const boxes: number[] = [];
    for (let i = 0; i < n; i++) {
      const x1 = Math.max(sample.boxes[4 * i] - left, 0);
      const y1 = Math.max(sample.boxes[4 * i + 1] - top, 0);
      const x2 = Math.min(sample.boxes[4 * i + 2] - left, cw);
      const y2 = Math.min(sample.boxes[4 * i + 3] - top, ch);
      if (x2 - x1 >= 1 && y2 - y1 >= 1) {
        keep.push(i);
        boxes.push(x1, y1, x2, y2);
      }
    }
    if (keep.length === 0) continue;
    const pixels = new Uint8Array(cw * ch * 3);
    for (let y = 0; y < ch; y++) {
      const from = ((top + y) * width + left) * 3;
      pixels.set(sample.pixels.subarray(from, from + cw * 3), y * cw * 3);
    }
    let masks: Uint8Array | undefined;
    if (sample.masks) {
      const source = sample.masks;
      masks = new Uint8Array(keep.length * cw * ch);
      keep.forEach((i, out) => {
        for (let y = 0; y < ch; y++) {
          const from = (i * height + top + y) * width + left;
          masks?.set(source.subarray(from, from + cw), (out * ch + y) * cw);
        }
      });
    }
    let keypoints: Float32Array | undefined;
    if (sample.keypoints) {
      const k = sample.keypoints.length / (3 * n);
      keypoints = new Float32Array(keep.length * k * 3);
      keep.forEach((i, out) => {
        for (let j = 0; j < k; j++) {
          const from = (i * k + j) * 3;
          const x = (sample.keypoints as Float32Array)[from] - left;
          const y = (sample.keypoints as Float32Array)[from + 1] - top;
          const v = (sample.keypoints as Float32Array)[from + 2];
          if (v > 0 && x >= 0 && y >= 0 && x < cw && y < ch) keypoints?.set([x, y, v], (out * k + j) * 3);
        }
      });
    }
    return {
      ...sample,
      width: cw,
      height: ch,
      pixels,
      boxes: Float32Array.from(boxes),
      labels: Int32Array.from(keep, (i) => sample.labels[i]),
      ...(masks ? { masks } : {}),
      ...(keypoints ? { keypoints } : {}),
    };
  }
  return sample;
}
