/**
 * Draws docs/sample.png for the README: three generated images (top) and their annotations
 * (bottom: each instance's visible mask in its class colour, instance borders dark, star
 * keypoints white when visible and grey when covered).
 * Run: npx vite-node --config vitest.config.ts bench/sample-picture.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { encodePng } from '@rcnn/core';
import { generateSyntheticDataset, SHAPE_NAMES } from '../src/index';

const SIDE = 192;
const CLASS_COLORS: Record<string, [number, number, number]> = {
  disc: [230, 80, 80],
  square: [80, 170, 240],
  triangle: [240, 200, 60],
  star: [190, 100, 230],
  ring: [90, 210, 120],
  cross: [250, 140, 40],
};
const { images } = generateSyntheticDataset({
  seed: 2024,
  count: 3,
  minImageSize: SIDE,
  maxImageSize: SIDE,
  maxObjects: 10,
});
const width = SIDE * images.length;
const canvas = new Uint8Array(width * SIDE * 2 * 3).fill(40);
images.forEach((image, column) => {
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const source = (y * SIDE + x) * 3;
      const top = (y * width + column * SIDE + x) * 3;
      canvas.set(image.pixels.subarray(source, source + 3), top);
      const owner = image.instanceMap[y * SIDE + x];
      const bottom = ((y + SIDE) * width + column * SIDE + x) * 3;
      if (owner < 0) continue;
      const border =
        x === 0 || y === 0 || x === SIDE - 1 || y === SIDE - 1
          ? false
          : [-1, 1, -SIDE, SIDE].some((d) => image.instanceMap[y * SIDE + x + d] !== owner);
      const color = CLASS_COLORS[image.objects[owner].shape];
      canvas.set(border ? color.map((c) => c * 0.35) : color, bottom);
    }
  }
  for (const object of image.objects) {
    const keypoints = object.keypoints ?? [];
    for (let j = 0; j < keypoints.length; j += 3) {
      if (keypoints[j + 2] === 0) continue;
      const value = keypoints[j + 2] === 2 ? 255 : 150;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = Math.floor(keypoints[j]) + dx;
          const y = Math.floor(keypoints[j + 1]) + dy;
          if (x < 0 || y < 0 || x >= SIDE || y >= SIDE) continue;
          canvas.fill(
            value,
            ((y + SIDE) * width + column * SIDE + x) * 3,
            ((y + SIDE) * width + column * SIDE + x) * 3 + 3,
          );
        }
      }
    }
  }
});
mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
const png = encodePng(canvas, width, SIDE * 2);
writeFileSync(new URL('../docs/sample.png', import.meta.url), png);
console.log(
  `docs/sample.png ${width}x${SIDE * 2}, ${(png.length / 1024).toFixed(1)} KiB; classes ${SHAPE_NAMES.join(', ')}`,
);
for (const image of images) console.log(image.objects.map((o) => `${o.shape}(${o.area})`).join(' '));
