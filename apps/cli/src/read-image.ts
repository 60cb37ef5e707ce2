import { type DecodedImage, decodeImagePixels, RcnnError, type RgbImage } from '@rcnn/core';
import type { GeneralizedRcnn } from '@rcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { CliError, type CliIo } from './command';

/**
 * Reads and decodes a PNG or JPEG file (format from its content).
 * @returns 8-bit RGB pixels (kept for drawing; see {@link imageTensor} for the model input)
 * @throws CliError exit code 1 naming the file when it cannot be read or decoded
 */
export async function readImage(io: CliIo, path: string, command: string): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readBytes(path);
  } catch (error) {
    throw new CliError(`${command}: cannot read image ${path}: ${(error as Error).message}`, 1);
  }
  try {
    return decodeImagePixels(bytes);
  } catch (error) {
    if (error instanceof RcnnError) throw new CliError(`${command}: image ${path}: ${error.message}`, 1);
    throw error;
  }
}

/** `[H, W, 3]` int32 0..255, what `GeneralizedRcnn.predict` takes. Caller owns. */
export function imageTensor(image: RgbImage): tf.Tensor3D {
  return tf.tensor3d(Int32Array.from(image.data), [image.height, image.width, 3], 'int32');
}

/**
 * Images with more pixels than this (16 MP, e.g. 4899x3266) are shrunk while decoding; smaller
 * ones decode at full size and go through the model's own bilinear resize, exactly torchvision.
 */
export const RESIZE_ABOVE_PIXELS = 16_000_000;

/**
 * Decodes an image for `model`: above {@link RESIZE_ABOVE_PIXELS}, shrunk while decoding
 * (area average; PNG row by row) to the size the model's transform resizes it to, so the
 * full-resolution pixels are never held. `scaleX`/`scaleY` map detections back to the
 * file's pixels. With a fixed-size transform (`--fixed-size H,W`) the short side is shrunk to
 * `max(H, W)` (the transform then resizes to H x W as usual).
 * @throws RcnnError `INVALID_IMAGE` for corrupt bytes
 */
export function decodeForModel(bytes: Uint8Array, model: GeneralizedRcnn): DecodedImage {
  const { fixedSize, minSizes, maxSize } = model.transform;
  const fitWithin: [number, number] = fixedSize
    ? [Math.max(...fixedSize), Number.MAX_SAFE_INTEGER]
    : [minSizes[minSizes.length - 1]!, maxSize];
  return decodeImagePixels(bytes, { fitWithin, resizeAbovePixels: RESIZE_ABOVE_PIXELS });
}
