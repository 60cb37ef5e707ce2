/**
 * Node-only helpers of @rcnn/core (`import { readImageFile } from '@rcnn/core/node'`):
 * file-system reading on top of the browser-safe main entry, kept separate so bundles
 * for browsers never see `node:` imports. Imports the main entry by its package name,
 * so both entries share one copy of every class (RcnnError instanceof works across them).
 */
import { readFile } from 'node:fs/promises';
import { decodeImage, type PthReadOptions, RcnnError, readStateDict, type StateDict } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw new RcnnError('INVALID_ARGUMENT', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Reads and decodes a PNG or JPEG file (format from its content, not its name).
 * @returns Tensor3D [height, width, 3] int32 0..255; caller owns (dispose it).
 * @throws RcnnError `INVALID_ARGUMENT` when the file cannot be read, `INVALID_IMAGE` when
 *   it is not a readable PNG/JPEG.
 */
export async function readImageFile(path: string): Promise<tf.Tensor3D> {
  return decodeImage(await readBytes(path));
}

/**
 * Reads a state_dict from a safetensors or PyTorch `.pth` file, chosen by content.
 * `.pth` files are read with the safe unpickler (no code from the file runs); `options`
 * select a wrapped state_dict (`key`) or allow extra inert globals (see `readPth`).
 * @returns plain arrays in torch layout (no tensors, nothing to dispose).
 */
export async function readWeightsFile(path: string, options: PthReadOptions = {}): Promise<StateDict> {
  return readStateDict(await readBytes(path), options);
}
