import '@tensorflow/tfjs-backend-cpu';
import { decodeMask, rleFromJson, rleToBbox } from '@rcnn/coco-eval';
import { decodeImage, encodePng } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHAPE_NAMES } from './categories';
import { generateSyntheticDataset, type SyntheticDataset } from './generate-dataset';
import { resolveSyntheticOptions } from './options';
import { rasterizeShape, unitShapeArea } from './shapes';
import { shadePixel } from './style';

const OPTIONS = { seed: 11, count: 24, minVisibleArea: 40, minVisibleFraction: 0.3 };
let dataset: SyntheticDataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dataset = generateSyntheticDataset(OPTIONS);
});

const pngs = (d: SyntheticDataset) =>
  d.images.map((image) => encodePng(image.pixels, image.width, image.height));

describe('determinism', () => {
  it('gives identical JSON and PNG bytes for the same seed', () => {
    const again = generateSyntheticDataset(OPTIONS);
    expect(JSON.stringify(again.coco)).toBe(JSON.stringify(dataset.coco));
    const first = pngs(dataset);
    const same = pngs(again).map((png, i) => Buffer.from(png).equals(Buffer.from(first[i])));
    expect(same).toEqual(first.map(() => true));
  });

  it('gives other images for another seed and for the val split', () => {
    for (const other of [
      { ...OPTIONS, seed: 12 },
      { ...OPTIONS, split: 'val' as const },
    ]) {
      const d = generateSyntheticDataset({ ...other, count: 3 });
      expect(JSON.stringify(d.coco.annotations)).not.toBe(
        JSON.stringify(dataset.coco.annotations?.slice(0, 0)),
      );
      d.images.forEach((image, i) => {
        const same =
          image.width === dataset.images[i].width &&
          image.height === dataset.images[i].height &&
          Buffer.from(image.pixels).equals(Buffer.from(dataset.images[i].pixels));
        expect(same).toBe(false);
      });
    }
  });

  it('makes image i independently of count (a prefix of a longer run)', () => {
    const short = generateSyntheticDataset({ ...OPTIONS, count: 5 });
    expect(short.coco.images).toEqual(dataset.coco.images?.slice(0, 5));
    expect(short.coco.annotations).toEqual(
      dataset.coco.annotations?.filter((annotation) => annotation.image_id <= 5),
    );
  });
});

describe('annotations', () => {
  it('has image sizes in the configured range, and honours other ranges', () => {
    for (const image of dataset.images) {
      for (const side of [image.width, image.height]) expect(side >= 192 && side <= 320).toBe(true);
    }
    const small = generateSyntheticDataset({ seed: 1, count: 3, minImageSize: 64, maxImageSize: 80 });
    for (const image of small.coco.images) {
      expect(image.width! >= 64 && image.width! <= 80 && image.height! >= 64 && image.height! <= 80).toBe(
        true,
      );
    }
  });

  it('masks are the visible pixels: exact bbox and area, no overlap, above the visible minimum', () => {
    const annotations = dataset.coco.annotations ?? [];
    let checked = 0;
    let wrongOwner = 0;
    for (const image of dataset.images) {
      const covered = new Uint8Array(image.width * image.height);
      const own = annotations.filter((annotation) => annotation.image_id === image.id);
      expect(own).toHaveLength(image.objects.length);
      own.forEach((annotation, k) => {
        const rle = rleFromJson(annotation.segmentation);
        expect([rle.height, rle.width]).toEqual([image.height, image.width]);
        const mask = decodeMask(rle);
        let minX = Infinity;
        let minY = Infinity;
        let maxX = -1;
        let maxY = -1;
        let area = 0;
        for (let i = 0; i < mask.length; i++) {
          if (!mask[i]) continue;
          const x = i % image.width;
          const y = Math.floor(i / image.width);
          [minX, minY, maxX, maxY] = [
            Math.min(minX, x),
            Math.min(minY, y),
            Math.max(maxX, x),
            Math.max(maxY, y),
          ];
          area++;
          covered[i]++;
          if (image.instanceMap[i] !== k) wrongOwner++;
        }
        expect(annotation.bbox).toEqual([minX, minY, maxX - minX + 1, maxY - minY + 1]);
        expect(rleToBbox(rle)).toEqual(annotation.bbox);
        expect(annotation.area).toBe(area);
        expect(annotation.iscrowd).toBe(0);
        const placed = image.objects[k].placed;
        const whole = unitShapeArea(placed.shape, placed.innerRatio) * placed.radius ** 2;
        expect(area).toBeGreaterThanOrEqual(
          Math.max(OPTIONS.minVisibleArea, OPTIONS.minVisibleFraction * whole),
        );
        checked++;
      });
      expect(Math.max(...covered)).toBeLessThanOrEqual(1);
      // Every pixel an object shows is in its mask (nothing drawn goes unannotated).
      let shown = 0;
      for (const owner of image.instanceMap) if (owner >= 0) shown++;
      expect(covered.reduce((sum, c) => sum + c, 0)).toBe(shown);
    }
    expect(wrongOwner).toBe(0);
    expect(checked).toBeGreaterThan(40);
  });

  it('includes occluded and border-truncated objects, every class, and sizes from ~12 px up', () => {
    let occluded = 0;
    let misplaced = 0;
    const shapes = new Set<string>();
    const sides: number[] = [];
    for (const image of dataset.images) {
      image.objects.forEach((object, k) => {
        shapes.add(object.shape);
        sides.push(2 * object.placed.radius);
        let drawn = 0;
        let hidden = 0;
        rasterizeShape(object.placed, image.width, image.height, (i) => {
          drawn++;
          if (image.instanceMap[i] > k) hidden++;
          else if (image.instanceMap[i] !== k) misplaced++;
        });
        expect(drawn - hidden).toBe(object.area);
        if (hidden > 0) occluded++;
      });
    }
    expect(misplaced).toBe(0);
    expect(occluded).toBeGreaterThan(0);
    expect([...shapes].sort()).toEqual([...SHAPE_NAMES].sort());
    expect(Math.min(...sides)).toBeLessThan(24);
    expect(Math.min(...sides)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...sides)).toBeGreaterThan(150);
  });

  it('labels star keypoints: 2 visible, 1 covered by another object, 0 outside', () => {
    const annotations = dataset.coco.annotations ?? [];
    const visibilities = new Set<number>();
    for (const image of dataset.images) {
      const own = annotations.filter((annotation) => annotation.image_id === image.id);
      own.forEach((annotation, k) => {
        if (image.objects[k].shape !== 'star') {
          expect(annotation.keypoints).toBeUndefined();
          return;
        }
        const keypoints = annotation.keypoints!;
        expect(keypoints).toHaveLength(18);
        let labelled = 0;
        for (let j = 0; j < 6; j++) {
          const [x, y, v] = keypoints.slice(3 * j, 3 * j + 3);
          visibilities.add(v);
          if (v === 0) {
            expect([x, y]).toEqual([0, 0]);
            continue;
          }
          labelled++;
          const owner = image.instanceMap[Math.floor(y) * image.width + Math.floor(x)];
          expect(v).toBe(owner >= 0 && owner !== k ? 1 : 2);
        }
        expect(annotation.num_keypoints).toBe(labelled);
      });
    }
    expect(visibilities.has(2)).toBe(true);
  });
});

describe('pixels', () => {
  it('decode with core decodeImage to the stated sizes, object colours where the masks say', () => {
    const expected = new Uint8Array(3);
    let objectPixels = 0;
    let wrongColour = 0;
    for (const image of dataset.images.slice(0, 8)) {
      const tensor = decodeImage(encodePng(image.pixels, image.width, image.height));
      expect(tensor.shape).toEqual([image.height, image.width, 3]);
      const decoded = tensor.dataSync();
      tensor.dispose();
      expect(Buffer.from(Uint8Array.from(decoded)).equals(Buffer.from(image.pixels))).toBe(true);
      for (let i = 0; i < image.instanceMap.length; i++) {
        const k = image.instanceMap[i];
        if (k < 0) continue;
        shadePixel(image.objects[k].fill, i % image.width, Math.floor(i / image.width), expected, 0);
        objectPixels++;
        if (
          decoded[3 * i] !== expected[0] ||
          decoded[3 * i + 1] !== expected[1] ||
          decoded[3 * i + 2] !== expected[2]
        )
          wrongColour++;
      }
    }
    expect(objectPixels).toBeGreaterThan(10_000);
    expect(wrongColour).toBe(0);
  });
});

describe('options', () => {
  it('rejects out-of-range options with RcnnError INVALID_ARGUMENT', () => {
    for (const bad of [
      { seed: -1 },
      { seed: 1.5 },
      { seed: 1, count: -2 },
      { seed: 1, minImageSize: 300, maxImageSize: 200 },
      { seed: 1, split: 'test' as 'val' },
      { seed: 1, minVisibleFraction: 2 },
    ]) {
      expect(() => resolveSyntheticOptions(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});
