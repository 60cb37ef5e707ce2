import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CocoDatasetJson } from '@rcnn/coco-eval';
import { decodeImagePixels, encodePng } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import { testPixels, writeTinyCoco } from '../__test-helpers__/tiny-coco';
import { checkImageFiles } from './check-image-files';
import { readCocoTrainingSet } from './coco-training-set';
import { readImageHeader } from './image-header';
import { loadSample } from './load-sample';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('readCocoTrainingSet', () => {
  it('maps categories to contiguous labels, drops crowds and skips images left empty', () => {
    const { json } = writeTinyCoco();
    const set = readCocoTrainingSet(json as unknown as CocoDatasetJson, 'train.json');
    expect(set.labelMap).toEqual({ categoryIds: [1, 7], names: ['person', 'cat'] });
    expect(set.images.map((i) => i.imageId)).toEqual([100, 101, 102, 103]);
    expect(set.skippedWithoutAnnotations).toBe(1);
    expect(set.crowdIgnored).toBe(2);
    expect(set.hasMasks).toBe(true);
    expect(set.numKeypoints).toBe(5);
    expect(set.images[0].instances.map((i) => [i.label, i.box])).toEqual([
      [1, [4, 5, 14, 15]],
      [2, [20, 10, 32, 18]],
    ]);
  });

  it('reports every bad record in one message naming file and record', () => {
    const { json } = writeTinyCoco();
    const bad = clone(json) as unknown as CocoDatasetJson;
    const a = bad.annotations ?? [];
    a[0].category_id = 99;
    a[1].bbox = [20, 10, 0, 8];
    a[2].bbox = [2, 2, 40, 30];
    a[4].segmentation = [[10, 4, 20, 4, 30, 4]];
    a[5].keypoints = [1, 2, 2];
    let message = '';
    try {
      readCocoTrainingSet(bad, 'train.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^5 problems in train\.json/);
    expect(message).toContain('annotation id 1 (image 100, img0.png): category_id 99 is not in "categories"');
    expect(message).toContain('annotation id 2 (image 100, img0.png): zero-area box [20, 10, 0, 8]');
    expect(message).toContain(
      'annotation id 3 (image 101, img1.png): box [2, 2, 40, 30] reaches outside the 30x40 image',
    );
    expect(message).toContain(
      'annotation id 5 (image 102, img2.png): degenerate segmentation: polygon 0 has zero area',
    );
    expect(message).toContain('annotation id 6 (image 103, img3.png): "keypoints" must be 15 numbers');
  });
});

describe('image files', () => {
  it('reads PNG and JPEG sizes from headers, as the decoder sees them', () => {
    for (const name of ['photo-420.jpg', 'photo-progressive.jpg', 'gray.jpg', 'rgb.png', 'palette.png']) {
      const bytes = new Uint8Array(
        readFileSync(new URL(`../../../core/src/image/__fixtures__/${name}`, import.meta.url)),
      );
      const decoded = decodeImagePixels(bytes);
      expect(readImageHeader(bytes), name).toMatchObject({ width: decoded.width, height: decoded.height });
    }
    expect(readImageHeader(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  it('checkImageFiles lists missing, unreadable and mis-sized images together', async () => {
    const { directory, json } = writeTinyCoco();
    const set = readCocoTrainingSet(json as unknown as CocoDatasetJson);
    await expect(checkImageFiles(set, join(directory, 'images'), 'decode')).resolves.toBeUndefined();
    writeFileSync(join(directory, 'images', 'img1.png'), 'not an image');
    writeFileSync(join(directory, 'images', 'img2.png'), encodePng(testPixels(10, 10, 0), 10, 10));
    const { rmSync } = await import('node:fs');
    rmSync(join(directory, 'images', 'img3.png'));
    const error = await checkImageFiles(set, join(directory, 'images'), 'header', 'train.json').catch(
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^3 problems in the images of train\.json/);
    expect(error?.message).toMatch(/img1\.png \(image id 101\): not a PNG or JPEG/);
    expect(error?.message).toMatch(/img2\.png \(image id 102\): is 10x10 but the JSON says 48x24/);
    expect(error?.message).toMatch(/img3\.png \(image id 103\): cannot read \(ENOENT\)/);
  });
});

describe('loadSample', () => {
  it('decodes pixels and rasterizes polygon and RLE masks; keypoints as given', () => {
    const { directory, json } = writeTinyCoco();
    const set = readCocoTrainingSet(json as unknown as CocoDatasetJson);
    const image = set.images[0];
    const bytes = new Uint8Array(readFileSync(join(directory, 'images', image.fileName)));
    const sample = loadSample(image, bytes, { masks: true, numKeypoints: 5 });
    expect(Array.from(sample.pixels)).toEqual(Array.from(testPixels(40, 30, 0)));
    const masks = sample.masks as Uint8Array;
    const area = (i: number) => masks.subarray(i * 1200, (i + 1) * 1200).reduce((a, b) => a + b, 0);
    // polygon square of side 10 at (4, 5): pycocotools rasterizes it as 10x10 pixels
    expect(area(0)).toBe(100);
    expect(masks[0 * 1200 + 5 * 40 + 4]).toBe(1);
    expect(masks[0 * 1200 + 15 * 40 + 14]).toBe(0);
    // RLE rectangle 12x8 at (20, 10)
    expect(area(1)).toBe(96);
    expect(masks[1200 + 10 * 40 + 20]).toBe(1);
    expect(Array.from(sample.keypoints?.subarray(0, 6) ?? [])).toEqual([7, 8, 2, 8, 8, 2]);
    expect(Array.from(sample.labels)).toEqual([1, 2]);
  });
});
