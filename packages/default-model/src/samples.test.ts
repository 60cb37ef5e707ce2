import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { generateSyntheticDataset } from '@rcnn/synth-data';
import { describe, expect, it } from 'vitest';
import { SAMPLE_GROUND_TRUTH_SPECIFIER, SAMPLE_IMAGES, sampleImageSpecifier } from './index';

const require = createRequire(import.meta.url);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  return [view.getUint32(16), view.getUint32(20)];
}

interface GroundTruth {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { image_id: number; category_id: number; bbox: number[]; area: number }[];
}

const groundTruth = JSON.parse(
  readFileSync(require.resolve(SAMPLE_GROUND_TRUTH_SPECIFIER), 'utf8'),
) as GroundTruth;

describe('sample images', () => {
  it('resolve through the package exports and match their ground truth sizes', () => {
    expect(groundTruth.images.map((image) => image.file_name)).toEqual([...SAMPLE_IMAGES]);
    for (const name of SAMPLE_IMAGES) {
      const bytes = readFileSync(require.resolve(sampleImageSpecifier(name)));
      const record = groundTruth.images.find((image) => image.file_name === name)!;
      expect(pngSize(bytes)).toEqual([record.width, record.height]);
      expect(groundTruth.annotations.some((a) => a.image_id === record.id)).toBe(true);
    }
  });

  it('are images 1, 4 and 6 of synth-data seed 2027, val split, 256-320 px (regenerated here)', () => {
    const { coco } = generateSyntheticDataset({
      seed: 2027,
      count: 6,
      split: 'val',
      minImageSize: 256,
      maxImageSize: 320,
    });
    for (const [index, id] of [1, 4, 6].entries()) {
      const shipped = groundTruth.images[index]!;
      const generated = coco.images.find((image) => image.id === id)!;
      expect([shipped.id, shipped.width, shipped.height]).toEqual([id, generated.width, generated.height]);
      const annotationsOf = (list: readonly GroundTruth['annotations'][number][]) =>
        list.filter((a) => a.image_id === id).map((a) => [a.category_id, a.bbox, a.area]);
      expect(annotationsOf(groundTruth.annotations)).toEqual(
        annotationsOf(coco.annotations as unknown as GroundTruth['annotations']),
      );
    }
  });
});
