import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeImagePixels } from '@rcnn/core';
import { type CocoTrainingSet, datasetError } from './coco-training-set';
import { readImageHeader } from './image-header';

/** How thoroughly image files are checked before training. */
export type ImageCheck = 'header' | 'decode' | 'none';

/**
 * Checks that every image of the set exists and is a PNG/JPEG of the size the JSON states, by its
 * header (`'header'`, fast) or by decoding it with `@rcnn/core`'s decoder (`'decode'`). All problems
 * are collected into one error naming each file and record.
 * @throws RcnnError `INVALID_ARGUMENT` listing missing, unreadable or mis-sized images
 */
export async function checkImageFiles(
  set: CocoTrainingSet,
  imageDirectory: string,
  check: ImageCheck = 'header',
  source = 'instances JSON',
): Promise<void> {
  if (check === 'none') return;
  const problems: string[] = [];
  for (const image of set.images) {
    const path = join(imageDirectory, image.fileName);
    const where = `${path} (image id ${image.imageId})`;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      problems.push(
        `${where}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
      continue;
    }
    let size: { width: number; height: number } | undefined;
    if (check === 'decode') {
      try {
        size = decodeImagePixels(bytes);
      } catch (error) {
        problems.push(`${where}: cannot decode (${(error as Error).message})`);
        continue;
      }
    } else {
      size = readImageHeader(bytes);
      if (!size) {
        problems.push(`${where}: not a PNG or JPEG, or its header is damaged`);
        continue;
      }
    }
    if (size.width !== image.width || size.height !== image.height) {
      problems.push(
        `${where}: is ${size.width}x${size.height} but the JSON says ${image.width}x${image.height}`,
      );
    }
  }
  if (problems.length > 0) throw datasetError(`the images of ${source}`, problems);
}
