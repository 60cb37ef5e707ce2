import { open, readFile } from 'node:fs/promises';
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
      bytes = check === 'decode' ? new Uint8Array(await readFile(path)) : await readHead(path);
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
      // A JPEG whose frame header lies past the first bytes (large EXIF): read it whole.
      size = readImageHeader(bytes) ?? readImageHeader(new Uint8Array(await readFile(path)));
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

const HEAD_BYTES = 65536;

/** The first 64 KiB of a file (headers), without reading the rest. */
async function readHead(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
