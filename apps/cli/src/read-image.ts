import { decodeImagePixels, RcnnError, type RgbImage } from '@rcnn/core';
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
