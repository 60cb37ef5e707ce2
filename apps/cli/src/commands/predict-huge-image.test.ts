import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rleFromJson, rleToBbox } from '@rcnn/coco-eval';
import { type CompressedRle, decodeImagePixels, readImageHeader } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import { demoScenePng } from '../../scripts/demo-scene';
import { runCliMeasured } from '../test-support/peak-rss';
import { runCli, SMALL_MODEL_OPTIONS, temporaryDirectory } from '../test-support/run-cli';
import { writeUpscaledPng } from '../test-support/upscaled-png';
import { toDecodedPixels } from '../to-decoded-pixels';
import type { ImageResult } from './predict-json';

/** 9000x8000 at --min-size 64 --max-size 96 is shrunk to 72x64 while decoding: exactly 1/125. */
const FACTOR = 125;
const SMALL = [72, 64] as const;

describe('rcnn predict on a huge image', () => {
  it(`a ${SMALL[0] * FACTOR}x${SMALL[1] * FACTOR} PNG is shrunk while decoding (peak RSS < 2.5 GB) and reported in its own pixels: the ${SMALL[0]}x${SMALL[1]} picture's detections x${FACTOR}`, async () => {
    const directory = temporaryDirectory();
    const smallPng = demoScenePng(SMALL[0], SMALL[1]);
    const small = join(directory, 'small.png');
    writeFileSync(small, smallPng);
    const huge = join(directory, 'huge.png');
    // Every pixel of the small picture as a flat 125x125 block: area-averaging it by 125 gives the
    // small picture exactly, so both runs feed the model the same pixels.
    await writeUpscaledPng(huge, decodeImagePixels(smallPng), FACTOR);
    expect(statSync(huge).size).toBeLessThan(2_000_000);
    const args = (image: string, name: string) => [
      'predict',
      '--arch',
      'maskrcnn_resnet18_fpn',
      '--weights',
      'deterministic',
      '--image',
      image,
      '--out-json',
      join(directory, `${name}.json`),
      '--out-image',
      join(directory, `${name}-drawn.png`),
      ...SMALL_MODEL_OPTIONS,
    ];
    const measured = await runCliMeasured(args(huge, 'huge'));
    expect(measured.code, measured.stderr).toBe(0);
    expect(measured.stderr).toMatch(/huge\.png: 10 instances, [\d.]+ s \(9000x8000 decoded at 72x64\)/);
    expect(measured.peakRssBytes, `peak RSS ${measured.peakRssBytes} bytes`).toBeLessThan(2.5e9);
    const direct = await runCli(...args(small, 'small'));
    expect(direct.code, direct.stderr).toBe(0);

    const read = (name: string) =>
      (JSON.parse(readFileSync(join(directory, `${name}.json`), 'utf8')) as ImageResult[])[0]!;
    const [big, reference] = [read('huge'), read('small')];
    expect([big.width, big.height]).toEqual([9000, 8000]);
    expect(big.instances).toHaveLength(reference.instances.length);
    for (const [i, instance] of big.instances.entries()) {
      const expected = reference.instances[i]!;
      expect(instance.label).toBe(expected.label);
      expect(instance.score).toBe(expected.score);
      // Same model input, so the same boxes up to the JSON's 4 decimals (x125: 0.00625 px) and
      // float32 rounding of the scaling (2^-24 x 9000 px ~ 0.0005 px).
      for (const [k, value] of instance.box.entries()) {
        expect(Math.abs(value - expected.box[k]! * FACTOR)).toBeLessThan(0.01);
      }
      const mask = instance.mask as CompressedRle;
      expect(mask.size).toEqual([8000, 9000]);
      // Foreground inside the (expanded by one mask pixel of 28) box, at the file's size.
      const [x, y, w, h] = rleToBbox(rleFromJson(mask));
      const [x1, y1, x2, y2] = instance.box;
      const margin = Math.max(x2 - x1, y2 - y1) / 28 + 2;
      if (w > 0) {
        expect(x).toBeGreaterThanOrEqual(x1 - margin);
        expect(y).toBeGreaterThanOrEqual(y1 - margin);
        expect(x + w).toBeLessThanOrEqual(x2 + margin);
        expect(y + h).toBeLessThanOrEqual(y2 + margin);
      }
    }
    // Sampled back to 72x64 for the drawing: the decoded size.
    const image = { width: SMALL[0], height: SMALL[1], data: new Uint8Array(), originalWidth: 9000 };
    const shrunk = toDecodedPixels(
      big.instances.map((instance) => ({ boxes: instance.box, masks: instance.mask })),
      { ...image, originalHeight: 8000, scaleX: FACTOR, scaleY: FACTOR },
    );
    for (const [i, detection] of shrunk.entries()) {
      expect((detection.masks as CompressedRle).size).toEqual([SMALL[1], SMALL[0]]);
      for (const [k, value] of (detection.boxes as number[]).entries()) {
        expect(value).toBeCloseTo(reference.instances[i]!.box[k]!, 3);
      }
    }
    // The drawing is at the decoded size (documented in the README).
    const drawn = readImageHeader(new Uint8Array(readFileSync(join(directory, 'huge-drawn.png'))));
    expect([drawn.width, drawn.height]).toEqual([...SMALL]);
  }, 600_000);
});
