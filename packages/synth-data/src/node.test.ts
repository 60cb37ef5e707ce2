import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import { generateSyntheticDataset } from './generate-dataset';
import { writeSyntheticDataset } from './node';

describe('writeSyntheticDataset', () => {
  it('writes images/*.png and instances.json equal to the in-memory dataset, byte for byte each run', async () => {
    const options = { seed: 21, count: 4, split: 'val' as const };
    const first = mkdtempSync(join(tmpdir(), 'synth-'));
    const second = mkdtempSync(join(tmpdir(), 'synth-'));
    const progress: number[] = [];
    const summary = await writeSyntheticDataset(first, options, (done) => progress.push(done));
    await writeSyntheticDataset(second, options);
    const memory = generateSyntheticDataset(options);

    expect(progress).toEqual([1, 2, 3, 4]);
    expect(summary.images).toBe(4);
    expect(summary.annotations).toBe(memory.coco.annotations?.length);
    expect(Object.values(summary.perCategory).reduce((a, b) => a + b, 0)).toBe(summary.annotations);
    const json = readFileSync(join(first, 'instances.json'), 'utf8');
    expect(JSON.parse(json)).toEqual(memory.coco);
    expect(readFileSync(join(second, 'instances.json'), 'utf8')).toBe(json);
    expect(readdirSync(join(first, 'images')).sort()).toEqual([
      '000001.png',
      '000002.png',
      '000003.png',
      '000004.png',
    ]);
    for (const image of memory.images) {
      const written = readFileSync(join(first, 'images', image.fileName));
      expect(written.equals(Buffer.from(encodePng(image.pixels, image.width, image.height)))).toBe(true);
      expect(readFileSync(join(second, 'images', image.fileName)).equals(written)).toBe(true);
    }
  });
});
