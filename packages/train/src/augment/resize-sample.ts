import type { TrainingSample } from '../data/training-sample';

/**
 * The output size for a shortest-side resize as torchvision's GeneralizedRCNNTransform computes it:
 * `scale = min(minSize / shorter, maxSize / longer)`, sizes floored (interpolate with
 * `recompute_scale_factor=True`).
 */
export function shortestSideSize(
  width: number,
  height: number,
  minSize: number,
  maxSize: number,
): { width: number; height: number } {
  const scale = Math.min(minSize / Math.min(width, height), maxSize / Math.max(width, height));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/**
 * Resizes a sample to `width x height`: pixels bilinear (half-pixel centres, as torch interpolate
 * with align_corners=False), masks nearest, boxes and keypoints scaled per axis (torchvision
 * `resize_boxes` / `resize_keypoints`).
 * @returns a new sample
 */
export function resizeSample(sample: TrainingSample, width: number, height: number): TrainingSample {
  const sx = width / sample.width;
  const sy = height / sample.height;
  const pixels = new Uint8Array(width * height * 3);
  const source = sample.pixels;
  const sw = sample.width;
  const sh = sample.height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) / sy - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) / sx - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const top = source[(y0 * sw + x0) * 3 + c] * (1 - wx) + source[(y0 * sw + x1) * 3 + c] * wx;
        const bottom = source[(y1 * sw + x0) * 3 + c] * (1 - wx) + source[(y1 * sw + x1) * 3 + c] * wx;
        pixels[(y * width + x) * 3 + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  const boxes = sample.boxes.map((v, i) => v * (i % 2 === 0 ? sx : sy));
  let masks: Uint8Array | undefined;
  if (sample.masks) {
    const n = sample.labels.length;
    masks = new Uint8Array(n * width * height);
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < height; y++) {
        const fromY = Math.min(Math.floor(y / sy), sh - 1);
        for (let x = 0; x < width; x++) {
          const fromX = Math.min(Math.floor(x / sx), sw - 1);
          masks[(i * height + y) * width + x] = sample.masks[(i * sh + fromY) * sw + fromX];
        }
      }
    }
  }
  const keypoints = sample.keypoints?.map((v, i) => (i % 3 === 0 ? v * sx : i % 3 === 1 ? v * sy : v));
  return {
    ...sample,
    width,
    height,
    pixels,
    boxes,
    ...(masks ? { masks } : {}),
    ...(keypoints ? { keypoints } : {}),
  };
}
