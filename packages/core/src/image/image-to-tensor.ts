import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';

/** RGBA pixels as `ImageData` and `tf.PixelData` hold them (works without a DOM). */
export interface RgbaPixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** What `imageToTensor` accepts. DOM types are type-only: the module loads in Node. */
export type ImageInput =
  | ImageData
  | RgbaPixels
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | HTMLVideoElement
  | tf.Tensor3D;

function isRgbaPixels(input: object): input is RgbaPixels {
  const candidate = input as Partial<RgbaPixels>;
  return (
    (candidate.data instanceof Uint8Array || candidate.data instanceof Uint8ClampedArray) &&
    typeof candidate.width === 'number' &&
    typeof candidate.height === 'number'
  );
}

function fromTensor(image: tf.Tensor): tf.Tensor3D {
  const [height, width, channels] = image.shape;
  if (image.rank !== 3 || !(channels === 1 || channels === 3 || channels === 4) || !height || !width) {
    throw new RcnnError(
      'INVALID_SHAPE',
      `imageToTensor: expected a [height, width, 1 | 3 | 4] tensor, got [${image.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    if (channels === 3) return image.clone() as tf.Tensor3D;
    if (channels === 1) return tf.tile(image, [1, 1, 3]) as tf.Tensor3D;
    return tf.slice(image, [0, 0, 0], [height, width, 3]) as tf.Tensor3D;
  });
}

function fromRgba({ width, height, data }: RgbaPixels): tf.Tensor3D {
  if (!(Number.isSafeInteger(width) && Number.isSafeInteger(height) && width > 0 && height > 0)) {
    throw new RcnnError('INVALID_IMAGE', `imageToTensor: invalid image size ${width}x${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new RcnnError(
      'INVALID_IMAGE',
      `imageToTensor: ${data.length} bytes is not ${width}x${height} RGBA`,
    );
  }
  const rgb = new Int32Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) {
    rgb[pixel * 3] = data[pixel * 4]!;
    rgb[pixel * 3 + 1] = data[pixel * 4 + 1]!;
    rgb[pixel * 3 + 2] = data[pixel * 4 + 2]!;
  }
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}

/**
 * Turns an image source into an RGB tensor. DOM sources go through
 * `tf.browser.fromPixels` (the active backend's upload path, e.g. WebGPU); `ImageData`
 * and plain RGBA pixel records are converted directly (so they also work in Node and
 * workers). A tensor input is validated and copied: [H, W, 3] as is, [H, W, 4] loses
 * alpha, [H, W, 1] is repeated to 3 channels; its dtype is kept.
 * @returns Tensor3D [height, width, 3]; int32 0..255 for pixel sources; caller owns.
 *   The input is never disposed.
 * @throws RcnnError `INVALID_IMAGE` for an empty or not-yet-loaded source (a video with no
 *   frame, an image still loading), `INVALID_SHAPE` for a tensor of the wrong shape.
 */
export function imageToTensor(input: ImageInput): tf.Tensor3D {
  if (input instanceof tf.Tensor) return fromTensor(input);
  if (typeof input !== 'object' || input === null) {
    throw new RcnnError('INVALID_ARGUMENT', `imageToTensor: unsupported input ${String(input)}`);
  }
  if (isRgbaPixels(input)) return fromRgba(input);
  const source = input as { videoWidth?: number; width?: number; height?: number; videoHeight?: number };
  const width = source.videoWidth ?? source.width ?? 0;
  const height = source.videoHeight ?? source.height ?? 0;
  if (!(width > 0 && height > 0)) {
    throw new RcnnError(
      'INVALID_IMAGE',
      'imageToTensor: the source has no pixels yet (0x0); wait for the image or video to load',
    );
  }
  try {
    return tf.browser.fromPixels(input as Parameters<typeof tf.browser.fromPixels>[0], 3);
  } catch (error) {
    throw new RcnnError('INVALID_IMAGE', `imageToTensor: cannot read pixels (${(error as Error)?.message})`, {
      cause: error,
    });
  }
}
