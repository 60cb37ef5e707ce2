// Makes src/sample-picture.png: the CLI's demo scene (apps/cli/assets/demo.png, 640x480) reduced
// 4x by averaging 4x4 blocks to 160x120, small enough for quick browser tests on SwiftShader.
// Run from apps/web: npx vite-node scripts/make-sample-picture.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeImagePixels, encodePng } from '@rcnn/core';

const FACTOR = 4;
const source = decodeImagePixels(new Uint8Array(readFileSync('../cli/assets/demo.png')));
const width = Math.floor(source.width / FACTOR);
const height = Math.floor(source.height / FACTOR);
const rgb = new Uint8Array(width * height * 3);
for (let y = 0; y < height; y++) {
  for (let x = 0; x < width; x++) {
    for (let channel = 0; channel < 3; channel++) {
      let sum = 0;
      for (let dy = 0; dy < FACTOR; dy++) {
        for (let dx = 0; dx < FACTOR; dx++) {
          sum += source.data[((y * FACTOR + dy) * source.width + x * FACTOR + dx) * 3 + channel]!;
        }
      }
      rgb[(y * width + x) * 3 + channel] = Math.round(sum / (FACTOR * FACTOR));
    }
  }
}
writeFileSync('src/sample-picture.png', encodePng(rgb, width, height));
console.log(`wrote src/sample-picture.png (${width}x${height})`);
