/**
 * Measures generation speed on one core at the default options: images per second for
 * generating alone (pixels, masks, RLE, keypoints) and with PNG encoding (core's encodePng,
 * fflate level 6). Rates per CPU-second are printed beside wall-clock rates because a shared
 * machine's load inflates wall time; the load average is printed too.
 * Run: npx pnpm@9.15.9 --filter @rcnn/synth-data bench [count]
 */
import { loadavg } from 'node:os';
import { encodePng } from '@rcnn/core';
import { generateSyntheticImage, resolveSyntheticOptions } from '../src/index';

const count = Number(process.argv[2] ?? 200);
const options = resolveSyntheticOptions({ seed: 1, count });
for (let i = 0; i < 20; i++) generateSyntheticImage(options, 10_000 + i); // warm-up

function timed(body: () => void): { wall: number; cpu: number } {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  body();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - wallStart) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

let objects = 0;
let pixels = 0;
const generate = timed(() => {
  for (let i = 0; i < count; i++) {
    const image = generateSyntheticImage(options, i);
    objects += image.objects.length;
    pixels += image.width * image.height;
  }
});
let bytes = 0;
const withPng = timed(() => {
  for (let i = 0; i < count; i++) {
    const image = generateSyntheticImage(options, i);
    bytes += encodePng(image.pixels, image.width, image.height).length;
  }
});
const rate = (seconds: number) => +(count / seconds).toFixed(1);
console.log(
  JSON.stringify({
    images: count,
    meanSide: Math.round(Math.sqrt(pixels / count)),
    objectsPerImage: +(objects / count).toFixed(2),
    generatePerCpuSecond: rate(generate.cpu),
    generatePerWallSecond: rate(generate.wall),
    withPngPerCpuSecond: rate(withPng.cpu),
    withPngPerWallSecond: rate(withPng.wall),
    meanPngKiB: +(bytes / count / 1024).toFixed(1),
    loadAverage1m: +loadavg()[0].toFixed(1),
  }),
);
