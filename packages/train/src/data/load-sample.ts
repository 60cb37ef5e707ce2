import { decodeMask, segmentationToRle } from '@rcnn/coco-eval';
import { decodeImagePixels, RcnnError } from '@rcnn/core';
import type { TrainingImage } from './coco-training-set';
import type { TrainingSample } from './training-sample';

/** What to build besides boxes and labels. */
export interface SampleContents {
  /** Rasterize segmentations into `[N, H, W]` masks (polygons and RLE via `@rcnn/coco-eval`). */
  readonly masks: boolean;
  /** Keypoints per instance (0: none). Instances without keypoints get K unlabelled ones. */
  readonly numKeypoints: number;
}

/**
 * Decodes an image's file bytes (PNG/JPEG, `@rcnn/core`'s decoder) and builds its training sample:
 * boxes and labels from the record, masks rasterized as pycocotools `annToMask`, keypoints as given.
 * @throws RcnnError `INVALID_IMAGE` when the file's size differs from the record's
 */
export function loadSample(
  image: TrainingImage,
  bytes: Uint8Array,
  contents: SampleContents,
): TrainingSample {
  const decoded = decodeImagePixels(bytes);
  if (decoded.width !== image.width || decoded.height !== image.height) {
    throw new RcnnError(
      'INVALID_IMAGE',
      `${image.fileName} (image id ${image.imageId}) is ${decoded.width}x${decoded.height}, the JSON says ${image.width}x${image.height}`,
    );
  }
  const { width, height, instances } = image;
  const n = instances.length;
  const boxes = new Float32Array(n * 4);
  const labels = new Int32Array(n);
  const masks = contents.masks ? new Uint8Array(n * width * height) : undefined;
  const k = contents.numKeypoints;
  const keypoints = k > 0 ? new Float32Array(n * k * 3) : undefined;
  instances.forEach((instance, i) => {
    boxes.set(instance.box, 4 * i);
    labels[i] = instance.label;
    if (masks && instance.segmentation !== undefined) {
      masks.set(
        decodeMask(segmentationToRle(instance.segmentation, height, width), 'row-major'),
        i * width * height,
      );
    }
    if (keypoints && instance.keypoints) keypoints.set(instance.keypoints, i * k * 3);
  });
  return {
    imageId: image.imageId,
    width,
    height,
    pixels: decoded.data,
    boxes,
    labels,
    ...(masks ? { masks } : {}),
    ...(keypoints ? { keypoints, numKeypoints: k } : {}),
  };
}
