/**
 * Measures generation speed on one core: images per second for generating alone
 * (pixels + masks + RLE) and with PNG encoding, at the default options.
 * Run: npx pnpm@9.15.9 --filter @rcnn/synth-data bench [count]
 */
import { encodePng } from '@rcnn/core';
import { generateSyntheticImage, resolveSyntheticOptions } from '../src/index';

const count = Number(process.argv[2] ?? 200);
const options = resolveSyntheticOptions({ seed: 1, count });
for (let i = 0; i < 20; i++) generateSyntheticImage(options, 10_000 + i); // warm-up

let start = performance.now();
let objects = 0;
let pixels = 0;
for (let i = 0; i < count; i++) {
  const image = generateSyntheticImage(options, i);
  objects += image.objects.length;
  pixels += image.width * image.height;
}
const generateSeconds = (performance.now() - start) / 1000;

start = performance.now();
let bytes = 0;
for (let i = 0; i < count; i++) {
  const image = generateSyntheticImage(options, i);
  bytes += encodePng(image.pixels, image.width, image.height).length;
}
const withPngSeconds = (performance.now() - start) / 1000;

console.log(
  JSON.stringify({
    images: count,
    meanSide: Math.round(Math.sqrt(pixels / count)),
    objectsPerImage: +(objects / count).toFixed(2),
    generateImagesPerSecond: +(count / generateSeconds).toFixed(1),
    withPngImagesPerSecond: +(count / withPngSeconds).toFixed(1),
    meanPngKiB: +(bytes / count / 1024).toFixed(1),
  }),
);
