import { RcnnError } from '@rcnn/core';
import type { TrainingSample } from '../data/training-sample';

/**
 * Mirrors a sample left-right (torchvision references/detection/transforms.py `RandomHorizontalFlip`):
 * pixels and masks per row, boxes `[w - x2, y1, w - x1, y2]`, keypoints `x -> w - x` with left/right
 * swapped by `flipMap` (keypoint i takes keypoint flipMap[i]'s values) and unlabelled ones zeroed.
 * @returns a new sample (the input is not changed)
 */
export function flipHorizontal(sample: TrainingSample, flipMap?: readonly number[]): TrainingSample {
  const { width, height } = sample;
  const pixels = new Uint8Array(sample.pixels.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + (width - 1 - x)) * 3;
      const to = (y * width + x) * 3;
      pixels[to] = sample.pixels[from];
      pixels[to + 1] = sample.pixels[from + 1];
      pixels[to + 2] = sample.pixels[from + 2];
    }
  }
  const boxes = new Float32Array(sample.boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = width - sample.boxes[i + 2];
    boxes[i + 1] = sample.boxes[i + 1];
    boxes[i + 2] = width - sample.boxes[i];
    boxes[i + 3] = sample.boxes[i + 3];
  }
  let masks: Uint8Array | undefined;
  if (sample.masks) {
    masks = new Uint8Array(sample.masks.length);
    const rows = sample.masks.length / width;
    for (let r = 0; r < rows; r++) {
      for (let x = 0; x < width; x++) masks[r * width + x] = sample.masks[r * width + (width - 1 - x)];
    }
  }
  let keypoints: Float32Array | undefined;
  if (sample.keypoints) {
    const n = sample.labels.length;
    const k = n > 0 ? sample.keypoints.length / (3 * n) : 0;
    if (flipMap && flipMap.length !== k) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `keypoint flip map has ${flipMap.length} entries for ${k} keypoints`,
      );
    }
    keypoints = new Float32Array(sample.keypoints.length);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const from = (i * k + (flipMap ? flipMap[j] : j)) * 3;
        const to = (i * k + j) * 3;
        const visible = sample.keypoints[from + 2];
        if (visible === 0) continue;
        keypoints[to] = width - sample.keypoints[from];
        keypoints[to + 1] = sample.keypoints[from + 1];
        keypoints[to + 2] = visible;
      }
    }
  }
  return { ...sample, pixels, boxes, ...(masks ? { masks } : {}), ...(keypoints ? { keypoints } : {}) };
}

/**
 * The flip map of keypoint names: each `left_*` swaps with `right_*` (COCO person: 0, 2, 1, 4, 3, ...);
 * names without a partner map to themselves.
 */
export function keypointFlipMap(names: readonly string[]): number[] {
  const index = new Map(names.map((name, i) => [name, i]));
  return names.map((name, i) => {
    const partner = name.startsWith('left_')
      ? `right_${name.slice(5)}`
      : name.startsWith('right_')
        ? `left_${name.slice(6)}`
        : name;
    return index.get(partner) ?? i;
  });
}
