import { type DetectedInstance, measureText, RcnnError } from '@rcnn/core';
import { expect, it } from 'vitest';
import { encodeColumnMajorMask } from '../masks/coco-rle';
import { COCO_PERSON_SKELETON } from './coco-person-keypoints';
import { drawInstances, instanceColor } from './draw-instances';
import { drawText } from './draw-text';

const [width, height] = [64, 48];
const grey = () => new Uint8Array(width * height * 3).fill(100);
const pixel = (rgba: Uint8Array, x: number, y: number) =>
  Array.from(rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));

function rectangleMask(x0: number, y0: number, x1: number, y1: number) {
  const columnMajor = new Uint8Array(width * height);
  for (let x = x0; x < x1; x++) for (let y = y0; y < y1; y++) columnMajor[x * height + y] = 1;
  return encodeColumnMajorMask(columnMajor, height, width);
}

it('blends masks at alpha 0.5, outlines boxes and leaves the rest untouched', () => {
  const instance: DetectedInstance = {
    box: [10, 20, 40, 44],
    score: 0.87,
    label: 2,
    mask: rectangleMask(15, 25, 30, 40),
  };
  const rgba = drawInstances({ data: grey(), width, height }, [instance], { labels: false });
  expect(rgba.length).toBe(width * height * 4);
  const color = instanceColor(0);
  expect(pixel(rgba, 20, 30)).toEqual([...color.map((c) => Math.round(100 * 0.5 + c * 0.5)), 255]);
  expect(pixel(rgba, 10, 30)).toEqual([...color, 255]); // left edge of the box outline
  expect(pixel(rgba, 5, 5)).toEqual([100, 100, 100, 255]);
});

it('draws a label above the box in the bitmap font', () => {
  const instance: DetectedInstance = { box: [4, 20, 60, 40], score: 0.5, label: 1 };
  const plain = drawInstances({ data: grey(), width, height }, [instance], { labels: false });
  const labelled = drawInstances({ data: grey(), width, height }, [instance], {
    categoryNames: ['bg', 'cat'],
  });
  const { width: textWidth, height: textHeight } = measureText('cat 0.50');
  expect(textWidth).toBe(47);
  let changed = 0;
  for (let y = 20 - textHeight - 2; y < 20; y++) {
    for (let x = 4; x < 4 + textWidth; x++) if (pixel(plain, x, y)[0] !== pixel(labelled, x, y)[0]) changed++;
  }
  expect(changed).toBeGreaterThan(textWidth * textHeight * 0.5);
});

it('renders distinct glyphs for every digit', () => {
  const shapes = new Set<string>();
  for (const digit of '0123456789') {
    const canvas = { data: new Uint8Array(5 * 7 * 4), width: 5, height: 7 };
    drawText(canvas, digit, 0, 0, [255, 255, 255]);
    shapes.add(Array.from(canvas.data).join());
  }
  expect(shapes.size).toBe(10);
});

it('draws keypoints and skeleton lines, skipping keypoints below the threshold', () => {
  const keypoints = Array.from(
    { length: 17 },
    (_, k) => [8 + 2 * k, 24, k === 16 ? -5 : 1] as [number, number, number],
  );
  const instance: DetectedInstance = { box: [0, 0, 1, 1], score: 1, label: 1, keypoints };
  const rgba = drawInstances({ data: grey(), width, height }, [instance], {
    skeleton: COCO_PERSON_SKELETON,
    keypointThreshold: 0,
    labels: false,
  });
  expect(pixel(rgba, 8, 24)).not.toEqual([100, 100, 100, 255]);
  expect(pixel(rgba, 8 + 2 * 16 + 6, 24)).toEqual([100, 100, 100, 255]);
});

it('accepts RGBA input, filters by score and rejects bad images with RcnnError', () => {
  const rgba = new Uint8Array(width * height * 4).fill(7);
  const low: DetectedInstance = { box: [10, 10, 30, 30], score: 0.1, label: 1 };
  expect(Array.from(drawInstances({ data: rgba, width, height }, [low], { scoreThreshold: 0.5 }))).toEqual(
    Array.from(rgba),
  );
  expect(() => drawInstances({ data: new Uint8Array(10), width, height }, [])).toThrow(RcnnError);
  const wrongMask: DetectedInstance = { ...low, mask: { size: [3, 3], counts: '9' } };
  expect(() => drawInstances({ data: rgba, width, height }, [wrongMask])).toThrow(/3x3/);
});
