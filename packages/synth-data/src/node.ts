/**
 * Node-only part of @rcnn/synth-data (`import { writeSyntheticDataset } from '@rcnn/synth-data/node'`):
 * writing a dataset to disk, kept apart so browser bundles never see `node:` imports.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CocoAnnotation, CocoImage } from '@rcnn/coco-eval';
import { encodePng } from '@rcnn/core';
import { cocoAnnotationRecords, cocoDatasetHeader, cocoImageRecord } from './coco-records';
import { generateSyntheticImage } from './generate-image';
import { resolveSyntheticOptions, type SyntheticDatasetOptions } from './options';

/** What `writeSyntheticDataset` wrote. */
export interface SyntheticDatasetSummary {
  /** `DIR/instances.json` */
  annotationFile: string;
  /** `DIR/images` */
  imageDirectory: string;
  images: number;
  annotations: number;
  /** Annotations per category name. */
  perCategory: Record<string, number>;
  /** Bytes of PNG written. */
  imageBytes: number;
  seconds: number;
}

/**
 * Generates a synthetic dataset and writes `directory/images/<id>.png` (RGB PNG) and
 * `directory/instances.json` (COCO), one image at a time, so memory stays flat for any
 * `count`. Creates the directories; overwrites files of the same names.
 * @param onProgress called after each image with (done, total)
 * @throws RcnnError `INVALID_ARGUMENT` for out-of-range options; Node errors when writing fails
 */
export async function writeSyntheticDataset(
  directory: string,
  options: SyntheticDatasetOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<SyntheticDatasetSummary> {
  const started = performance.now();
  const resolved = resolveSyntheticOptions(options);
  const imageDirectory = join(directory, 'images');
  await mkdir(imageDirectory, { recursive: true });
  const header = cocoDatasetHeader(resolved);
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  let imageBytes = 0;
  for (let index = 0; index < resolved.count; index++) {
    const image = generateSyntheticImage(resolved, index);
    const id = resolved.firstImageId + index;
    const record = cocoImageRecord(image, id);
    const png = encodePng(image.pixels, image.width, image.height);
    await writeFile(join(imageDirectory, record.file_name as string), png);
    imageBytes += png.length;
    images.push(record);
    annotations.push(...cocoAnnotationRecords(image, id, annotations.length + 1));
    onProgress?.(index + 1, resolved.count);
  }
  const annotationFile = join(directory, 'instances.json');
  const coco = { info: header.info, images, annotations, categories: header.categories };
  await writeFile(annotationFile, `${JSON.stringify(coco)}\n`);
  const perCategory: Record<string, number> = {};
  for (const category of header.categories) perCategory[category.name as string] = 0;
  for (const annotation of annotations) {
    const name = header.categories[annotation.category_id - 1].name as string;
    perCategory[name]++;
  }
  return {
    annotationFile,
    imageDirectory,
    images: images.length,
    annotations: annotations.length,
    perCategory,
    imageBytes,
    seconds: (performance.now() - started) / 1000,
  };
}
