import * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';
import type { ImageBatch, ImageSize } from '../types/images';
import { resizeBilinearLikeTorch } from './resize-bilinear';
import { resizedImageSize } from './resized-image-size';

/** Options of {@link ImageTransform}; defaults are torchvision's R-CNN presets. */
export interface ImageTransformOptions {
  /** Short side after resizing; a list gives training scales, inference uses the last. Default 800. */
  readonly minSize?: number | readonly number[];
  /** Cap on the long side after resizing. Default 1333. */
  readonly maxSize?: number;
  /** Per-channel mean of 0..1 pixels, subtracted first. Default ImageNet's [0.485, 0.456, 0.406]. */
  readonly imageMean?: readonly number[];
  /** Per-channel std of 0..1 pixels, divided by second. Default [0.229, 0.224, 0.225]. */
  readonly imageStd?: readonly number[];
  /** The padded batch's height and width are multiples of this (the backbone's). Default 32. */
  readonly sizeDivisibility?: number;
  /**
   * Resize every image to exactly `[height, width]` instead (torchvision `fixed_size`, whose
   * tuple is read as (width, height); ours is `[height, width]` like every size here).
   */
  readonly fixedSize?: ImageSize;
}

/** Per-call override of {@link ImageTransform.toBatch}. */
export interface ToBatchOptions {
  /** Short side to use instead of the last of `minSize` (training picks one of `minSizes` per batch). */
  readonly minSize?: number;
}

/**
 * Turns user images into the padded, normalized batch a backbone takes
 * (torchvision/models/detection/transform.py::GeneralizedRCNNTransform, eval mode):
 * normalize, resize bilinearly (align_corners=False) so the short side is `minSize`
 * unless the long side would pass `maxSize` (torch's exact output size, see
 * {@link resizedImageSize}), then zero-pad bottom/right to a common size divisible by
 * `sizeDivisibility`. Holds no tensors.
 */
export class ImageTransform {
  readonly minSizes: readonly number[];
  readonly maxSize: number;
  readonly imageMean: readonly number[];
  readonly imageStd: readonly number[];
  readonly sizeDivisibility: number;
  readonly fixedSize: ImageSize | undefined;

  constructor({
    minSize = 800,
    maxSize = 1333,
    imageMean = [0.485, 0.456, 0.406],
    imageStd = [0.229, 0.224, 0.225],
    sizeDivisibility = 32,
    fixedSize,
  }: ImageTransformOptions = {}) {
    const minSizes = typeof minSize === 'number' ? [minSize] : [...minSize];
    ensure(
      minSizes.length > 0 && minSizes.every((size) => Number.isFinite(size) && size > 0),
      'INVALID_ARGUMENT',
      () => `minSize must be a positive number or a non-empty list of them, got ${String(minSize)}`,
    );
    ensure(
      Number.isFinite(maxSize) && maxSize > 0,
      'INVALID_ARGUMENT',
      () => `maxSize must be positive, got ${maxSize}`,
    );
    ensure(
      imageMean.length > 0 && imageMean.length === imageStd.length && imageStd.every((std) => std !== 0),
      'INVALID_ARGUMENT',
      () =>
        `imageMean and imageStd need one entry per channel (std non-zero), got ${imageMean.length} and ${imageStd.length}`,
    );
    ensure(
      Number.isInteger(sizeDivisibility) && sizeDivisibility > 0,
      'INVALID_ARGUMENT',
      () => `sizeDivisibility must be a positive integer, got ${sizeDivisibility}`,
    );
    ensure(
      fixedSize === undefined || fixedSize.every((side) => Number.isInteger(side) && side > 0),
      'INVALID_ARGUMENT',
      () => `fixedSize must be two positive integers [height, width], got [${String(fixedSize)}]`,
    );
    this.minSizes = minSizes;
    this.maxSize = maxSize;
    this.imageMean = [...imageMean];
    this.imageStd = [...imageStd];
    this.sizeDivisibility = sizeDivisibility;
    this.fixedSize = fixedSize ? [fixedSize[0], fixedSize[1]] : undefined;
  }

  /** The `[height, width]` an image of `originalSize` is resized to (before padding). */
  resizedSize(originalSize: ImageSize, minSize = this.minSizes[this.minSizes.length - 1]!): ImageSize {
    if (this.fixedSize) return [this.fixedSize[0], this.fixedSize[1]];
    return resizedImageSize(originalSize, minSize, this.maxSize);
  }

  /**
   * @param images one `[H, W, C]` tensor per image: float32 in 0..1, or int32 in 0..255
   *   (divided by 255 first, as torchvision's to_tensor does); not disposed
   * @returns the batch: `tensor` `[B, H', W', C]` float32 (caller owns; dispose it),
   *   `imageSizes` after resizing, `originalSizes` as given
   */
  toBatch(images: readonly tf.Tensor3D[], { minSize }: ToBatchOptions = {}): ImageBatch {
    ensure(
      Array.isArray(images) && images.length > 0,
      'INVALID_IMAGE',
      () => 'toBatch needs at least one image',
    );
    const channels = this.imageMean.length;
    images.forEach((image, index) => {
      ensure(
        image instanceof tf.Tensor && image.rank === 3 && image.shape[2] === channels,
        'INVALID_IMAGE',
        () => `image ${index} must be [H, W, ${channels}] (HWC), got [${image?.shape?.join(', ')}]`,
      );
      ensure(
        image.shape[0] > 0 && image.shape[1] > 0,
        'INVALID_IMAGE',
        () => `image ${index} is empty: [${image.shape.join(', ')}]`,
      );
      ensure(
        image.dtype === 'float32' || image.dtype === 'int32',
        'INVALID_IMAGE',
        () => `image ${index} must be float32 (0..1) or int32 (0..255), got ${image.dtype}`,
      );
    });
    const originalSizes = images.map((image): ImageSize => [image.shape[0], image.shape[1]]);
    const imageSizes = originalSizes.map((size) => this.resizedSize(size, minSize));
    const stride = this.sizeDivisibility;
    const paddedHeight = Math.ceil(Math.max(...imageSizes.map(([h]) => h)) / stride) * stride;
    const paddedWidth = Math.ceil(Math.max(...imageSizes.map(([, w]) => w)) / stride) * stride;
    const tensor = tf.tidy(() => {
      const mean = tf.tensor1d(this.imageMean as number[], 'float32');
      const std = tf.tensor1d(this.imageStd as number[], 'float32');
      const padded = images.map((image, index) => {
        const [height, width] = imageSizes[index]!;
        const pixels = image.dtype === 'int32' ? tf.div(tf.cast(image, 'float32'), 255) : image;
        // torchvision normalizes before resizing; padding is zeros in normalized space.
        const normalized = tf.div(tf.sub(pixels, mean), std) as tf.Tensor3D;
        const sameSize = height === image.shape[0] && width === image.shape[1];
        const resized = sameSize ? normalized : resizeBilinearLikeTorch(normalized, [height, width]);
        return tf.pad(resized, [
          [0, paddedHeight - height],
          [0, paddedWidth - width],
          [0, 0],
        ]);
      });
      return tf.stack(padded) as tf.Tensor4D;
    });
    return { tensor, imageSizes, originalSizes };
  }
}
