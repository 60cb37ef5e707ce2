import { type ImageHeader, type ImageSize, RcnnError, readImageHeader, resizedImageSize } from '@rcnn/core';
import type { GeneralizedRcnn } from '@rcnn/models';
import type { CliIo } from './command';
import { shown } from './terminal-text';

/** An image that cannot be used, and why (one line, naming nothing but the reason). */
export interface ImageFailure {
  readonly index: number;
  readonly path: string;
  readonly reason: string;
}

/** `rcnn predict: --image NAME: reason`, the file name's control characters escaped. */
export function describeFailure(command: string, failure: ImageFailure): string {
  return `${command}: --image ${shown(failure.path)}: ${shown(failure.reason)}`;
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * Checks every `--image` before the model is built: that it can be read and that its header
 * is a PNG or JPEG header with a size (pixels are decoded later, one image at a time).
 * @returns each image's header (undefined where it failed) and the failures, in order
 */
export async function checkImages(
  io: CliIo,
  paths: readonly string[],
): Promise<{ headers: (ImageHeader | undefined)[]; failures: ImageFailure[] }> {
  const headers: (ImageHeader | undefined)[] = [];
  const failures: ImageFailure[] = [];
  for (const [index, path] of paths.entries()) {
    let bytes: Uint8Array;
    try {
      bytes = await io.readBytes(path);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const reason =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'a directory, not an image'
            : reasonOf(error);
      failures.push({ index, path, reason: `cannot read it: ${reason}` });
      headers.push(undefined);
      continue;
    }
    try {
      headers.push(readImageHeader(bytes));
    } catch (error) {
      if (!(error instanceof RcnnError)) throw error;
      failures.push({ index, path, reason: `not a readable image: ${error.message}` });
      headers.push(undefined);
    }
  }
  return { headers, failures };
}

/**
 * The size the model's transform resizes an image of `header`'s size to, or a failure reason
 * when a side would be under one pixel (a very thin image: 1x5000 resized to at most 1333 px
 * is 0 px high), which the layers cannot take.
 */
export function resizeProblem(
  model: GeneralizedRcnn,
  header: { readonly width: number; readonly height: number },
): string | undefined {
  const { transform } = model;
  if (header.width === 0 || header.height === 0) return undefined; // a JPEG's height comes later (DNL)
  const original: ImageSize = [header.height, header.width];
  const resized: ImageSize =
    transform.fixedSize ??
    resizedImageSize(original, transform.minSizes[transform.minSizes.length - 1]!, transform.maxSize);
  if (resized[0] >= 1 && resized[1] >= 1) return undefined;
  const rule = transform.fixedSize
    ? `to the fixed size ${transform.fixedSize[0]}x${transform.fixedSize[1]} (height x width)`
    : `so the long side is at most ${transform.maxSize} px`;
  return (
    `${header.width}x${header.height} px is too thin: resized ${rule} it would be ` +
    `${resized[1]}x${resized[0]} px (crop or pad it, or raise --max-size)`
  );
}
