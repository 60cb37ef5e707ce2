import { describe, expect, it } from 'vitest';
import { PERSON_KEYPOINTS, testPixels } from '../__test-helpers__/tiny-coco';
import type { TrainingSample } from '../data/training-sample';
import { SeededRng } from '../random/seeded-rng';
import { augmentSample } from './augment-sample';
import { flipHorizontal, keypointFlipMap } from './horizontal-flip';
import { randomCrop } from './random-crop';
import { resizeSample, shortestSideSize } from './resize-sample';

function sample(): TrainingSample {
  const width = 8;
  const height = 6;
  const masks = new Uint8Array(2 * width * height);
  for (let y = 1; y < 3; y++) for (let x = 1; x < 4; x++) masks[y * width + x] = 1; // instance 0: box [1, 1, 4, 3]
  for (let y = 3; y < 6; y++) for (let x = 5; x < 8; x++) masks[48 + y * width + x] = 1; // instance 1: box [5, 3, 8, 6]
  const keypoints = new Float32Array(2 * 5 * 3);
  keypoints.set([2, 2, 2, 1.5, 1.5, 2, 3, 1.5, 1, 0, 0, 0, 2, 2.5, 2], 0);
  keypoints.set([6, 4, 2, 5.5, 3.5, 1, 7, 3.5, 2, 6, 5, 2, 0, 0, 0], 15);
  return {
    imageId: 1,
    width,
    height,
    pixels: testPixels(width, height, 3),
    boxes: Float32Array.from([1, 1, 4, 3, 5, 3, 8, 6]),
    labels: Int32Array.from([1, 2]),
    masks,
    keypoints,
    numKeypoints: 5,
  };
}

describe('augmentation', () => {
  it('keypointFlipMap swaps left_/right_ names', () => {
    expect(keypointFlipMap(PERSON_KEYPOINTS)).toEqual([0, 2, 1, 4, 3]);
  });

  it('flipHorizontal mirrors pixels, masks, boxes and keypoints (with the flip map), and twice is the identity', () => {
    const s = sample();
    const map = keypointFlipMap(PERSON_KEYPOINTS);
    const f = flipHorizontal(s, map);
    expect(Array.from(f.boxes)).toEqual([4, 1, 7, 3, 0, 3, 3, 6]);
    expect(Array.from(f.pixels.subarray(0, 3))).toEqual(Array.from(s.pixels.subarray(21, 24)));
    expect(f.masks?.[1 * 8 + 4]).toBe(1); // x 3 -> 4
    expect(f.masks?.[1 * 8 + 3]).toBe(0);
    // left_eye takes right_eye mirrored (x 3 -> 5, v 1); left_ear takes right_ear; right_ear takes the unlabelled left_ear
    expect(Array.from(f.keypoints?.subarray(0, 12) ?? [])).toEqual([
      6, 2, 2, 5, 1.5, 1, 6.5, 1.5, 2, 6, 2.5, 2,
    ]);
    expect(Array.from(f.keypoints?.subarray(12, 15) ?? [])).toEqual([0, 0, 0]);
    const back = flipHorizontal(f, map);
    expect(Array.from(back.pixels)).toEqual(Array.from(s.pixels));
    expect(Array.from(back.masks ?? [])).toEqual(Array.from(s.masks ?? []));
    expect(Array.from(back.boxes)).toEqual(Array.from(s.boxes));
    expect(Array.from(back.keypoints ?? [])).toEqual(Array.from(s.keypoints ?? []));
  });

  it('shortestSideSize follows torchvision (min 800, max 1333)', () => {
    expect(shortestSideSize(640, 480, 800, 1333)).toEqual({ width: 1066, height: 800 });
    expect(shortestSideSize(1000, 300, 800, 1333)).toEqual({ width: 1333, height: 399 });
  });

  it('resizeSample scales boxes and keypoints and keeps masks on the same objects', () => {
    const r = resizeSample(sample(), 16, 12);
    expect(Array.from(r.boxes)).toEqual([2, 2, 8, 6, 10, 6, 16, 12]);
    expect(r.keypoints?.[0]).toBe(4);
    expect(r.masks?.reduce((a, b) => a + b, 0)).toBe(4 * (6 + 9));
    // a constant image stays constant under bilinear resizing
    const flat = { ...sample(), pixels: new Uint8Array(8 * 6 * 3).fill(77) };
    expect(new Set(resizeSample(flat, 5, 7).pixels)).toEqual(new Set([77]));
  });

  it('randomCrop keeps instances whose boxes remain, with masks and keypoints cropped alike', () => {
    const s = sample();
    let sawDrop = false;
    for (let seed = 0; seed < 40; seed++) {
      const c = randomCrop(s, new SeededRng(seed), { minScale: 0.4 });
      expect(c.labels.length).toBeGreaterThan(0);
      const n = c.labels.length;
      if (n < 2) sawDrop = true;
      expect(c.masks?.length).toBe(n * c.width * c.height);
      expect(c.pixels.length).toBe(c.width * c.height * 3);
      for (let i = 0; i < n; i++) {
        const [x1, y1, x2, y2] = c.boxes.subarray(4 * i, 4 * i + 4);
        expect(x2 - x1).toBeGreaterThanOrEqual(1);
        expect(x1 >= 0 && y1 >= 0 && x2 <= c.width && y2 <= c.height).toBe(true);
        // the instance's mask lies inside its box
        for (let y = 0; y < c.height; y++) {
          for (let x = 0; x < c.width; x++) {
            if (c.masks?.[(i * c.height + y) * c.width + x])
              expect(x >= x1 && x < x2 && y >= y1 && y < y2).toBe(true);
          }
        }
      }
    }
    expect(sawDrop).toBe(true);
  });

  it('augmentSample is a function of the generator state', () => {
    const options = { flipProbability: 0.5, cropProbability: 0.5, minSizes: [10, 12, 14], maxSize: 30 };
    const a = augmentSample(sample(), options, new SeededRng(5));
    const b = augmentSample(sample(), options, new SeededRng(5));
    expect(a).toEqual(b);
    const sizes = new Set<number>();
    for (let seed = 0; seed < 30; seed++) {
      const out = augmentSample(sample(), options, new SeededRng(seed));
      sizes.add(Math.min(out.width, out.height));
    }
    expect(sizes).toEqual(new Set([10, 12, 14]));
  });
});
