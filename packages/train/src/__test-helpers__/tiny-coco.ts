import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMask, rleToJson } from '@rcnn/coco-eval';
import { encodePng } from '@rcnn/core';

export const PERSON_KEYPOINTS = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear'];

/** Deterministic RGB pixels for a test image. */
export function testPixels(width: number, height: number, seed: number): Uint8Array {
  return Uint8Array.from(
    { length: width * height * 3 },
    (_, i) => (i * 31 + seed * 17 + ((i / 3) | 0)) % 251,
  );
}

/**
 * A tiny COCO dataset on disk: 4 images of 3 aspect ratios with polygon, RLE and crowd annotations
 * and 5 keypoints per instance, plus one image without annotations.
 */
export function writeTinyCoco(): { directory: string; json: Record<string, unknown> } {
  const directory = mkdtempSync(join(tmpdir(), 'rcnn-coco-'));
  mkdirSync(join(directory, 'images'));
  const sizes: [number, number][] = [
    [40, 30],
    [30, 40],
    [48, 24],
    [40, 30],
    [20, 20],
  ];
  const images = sizes.map(([width, height], i) => {
    writeFileSync(
      join(directory, 'images', `img${i}.png`),
      encodePng(testPixels(width, height, i), width, height),
    );
    return { id: 100 + i, file_name: `img${i}.png`, width, height };
  });
  const square = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s];
  const rle = (width: number, height: number, x0: number, y0: number, w: number, h: number) => {
    const mask = new Uint8Array(width * height);
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) mask[y * width + x] = 1;
    return rleToJson(encodeMask(mask, height, width));
  };
  const kp = (x: number, y: number) => [x, y, 2, x + 1, y, 2, x - 1, y, 1, 0, 0, 0, x, y + 2, 2];
  let id = 1;
  const ann = (
    imageId: number,
    category: number,
    bbox: number[],
    segmentation: unknown,
    extra: Record<string, unknown> = {},
  ) => ({
    id: id++,
    image_id: imageId,
    category_id: category,
    bbox,
    area: bbox[2] * bbox[3],
    iscrowd: 0,
    segmentation,
    keypoints: kp(bbox[0] + 3, bbox[1] + 3),
    num_keypoints: 4,
    ...extra,
  });
  const annotations = [
    ann(100, 1, [4, 5, 10, 10], [square(4, 5, 10)]),
    ann(100, 7, [20, 10, 12, 8], rle(40, 30, 20, 10, 12, 8)),
    ann(101, 7, [2, 2, 20, 30], [square(2, 2, 20)]),
    ann(101, 1, [0, 0, 30, 40], rle(30, 40, 0, 0, 30, 40), { iscrowd: 1 }),
    ann(102, 1, [10, 4, 16, 12], [square(10, 4, 12)]),
    ann(103, 7, [1, 1, 8, 8], rle(40, 30, 1, 1, 8, 8)),
    ann(104, 1, [1, 1, 8, 8], rle(20, 20, 1, 1, 8, 8), { iscrowd: 1 }),
  ];
  const json = {
    images,
    annotations,
    categories: [
      { id: 7, name: 'cat', keypoints: PERSON_KEYPOINTS },
      { id: 1, name: 'person', keypoints: PERSON_KEYPOINTS },
    ],
  };
  writeFileSync(join(directory, 'train.json'), JSON.stringify(json));
  return { directory, json };
}
