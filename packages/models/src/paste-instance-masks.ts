import {
  type Boxes,
  ensure,
  type ImageBatch,
  type ImageSize,
  mapBoxesToOriginal,
  mapKeypointsToOriginal,
  RcnnError,
} from '@rcnn/core';
import { pasteMasks, pasteMasksPerInstance } from '@rcnn/postprocess';
import * as tf from '@tensorflow/tfjs-core';
import {
  DETECTION_FIELDS,
  type DetectionFieldName,
  type DetectorInstances,
  detectionFieldsOf,
} from './detector-instances';

/**
 * How per-RoI masks are pasted into an image (both give torchvision's `paste_masks_in_image`):
 * `'perInstance'` resizes each mask to its own box (work in proportion to box areas; fastest on
 * cpu and wasm), `'dense'` is two batched matmuls with fixed shapes (one program; GPU backends).
 */
export type MaskPasting = 'perInstance' | 'dense';

/** Options of {@link pasteInstanceMasks}. */
export interface PasteInstanceMasksOptions {
  /** Size of the image the boxes live in. Default `instances.imageSize` (the original size after `predict`). */
  readonly imageSize?: ImageSize;
  /** Default `'perInstance'`. */
  readonly method?: MaskPasting;
}

function paste(masks: tf.Tensor3D, boxes: DetectorInstances['boxes'], size: ImageSize, method: MaskPasting) {
  return method === 'dense'
    ? Promise.resolve(pasteMasks(masks, boxes, size))
    : pasteMasksPerInstance(masks, boxes, size);
}

/**
 * Image-sized mask probabilities from a detector's per-RoI masks (torchvision
 * `roi_heads.py::paste_masks_in_image`, padding 1): each `[28, 28]` mask is resized bilinearly
 * onto its box. Threshold at 0.5 for torchvision's binary masks (postprocess `thresholdMasks`).
 * @param instances one image's detections with `masks [N, M, M]` and `boxes [N, 4]` in the pixels of `imageSize`; not disposed
 * @returns `[N, H, W]` float32 probabilities; caller owns
 */
export async function pasteInstanceMasks(
  instances: DetectorInstances,
  { imageSize = instances.imageSize, method = 'perInstance' }: PasteInstanceMasksOptions = {},
): Promise<tf.Tensor3D> {
  const { masks } = instances;
  if (!masks) throw new RcnnError('INVALID_ARGUMENT', 'pasteInstanceMasks: these instances have no masks');
  ensure(
    masks.shape[1] === masks.shape[2],
    'INVALID_SHAPE',
    () => `pasteInstanceMasks: masks must be per-RoI squares [N, M, M], got [${masks.shape.join(', ')}]`,
  );
  return paste(masks, instances.boxes, imageSize, method);
}

/**
 * Maps one batch's detections from resized to original pixels (torchvision
 * `GeneralizedRCNNTransform.postprocess`), each field as {@link DETECTION_FIELDS} says: boxes
 * and keypoints scaled per axis, masks pasted with the mapped boxes when `pasting` is set,
 * the rest (scores, labels, maskScores, ...) kept. Takes ownership of `detections` on success
 * (replaced tensors are disposed, the others move into the result); on failure it leaves them
 * to the caller. @returns caller owns.
 * @throws RcnnError `INVALID_ARGUMENT` for a tensor field the table does not list
 */
export async function toOriginalCoordinates(
  detections: readonly DetectorInstances[],
  batch: ImageBatch,
  pasting: false | MaskPasting,
): Promise<DetectorInstances[]> {
  const created: tf.Tensor[] = [];
  const replaced: tf.Tensor[] = [];
  try {
    const results: DetectorInstances[] = [];
    for (const [i, detection] of detections.entries()) {
      const imageSize = batch.imageSizes[i]!;
      const originalSize = batch.originalSizes[i]!;
      const mapped: Partial<Record<DetectionFieldName, tf.Tensor>> = {};
      const replace = (name: DetectionFieldName, from: tf.Tensor, to: tf.Tensor) => {
        created.push(to);
        replaced.push(from);
        mapped[name] = to;
      };
      for (const [name, tensor] of detectionFieldsOf(detection)) {
        const { coordinates } = DETECTION_FIELDS[name];
        if (coordinates === 'boxes') {
          replace(name, tensor, mapBoxesToOriginal(tensor as Boxes, imageSize, originalSize));
        } else if (coordinates === 'keypoints') {
          replace(name, tensor, mapKeypointsToOriginal(tensor as tf.Tensor3D, imageSize, originalSize));
        } else if (coordinates === 'masks' && pasting) {
          const boxes = (mapped.boxes ?? detection.boxes) as Boxes;
          replace(name, tensor, await paste(tensor as tf.Tensor3D, boxes, originalSize, pasting));
        }
      }
      results.push({
        ...detection,
        ...(mapped as Partial<DetectorInstances>),
        imageSize: [originalSize[0], originalSize[1]],
      });
    }
    tf.dispose(replaced);
    return results;
  } catch (error) {
    tf.dispose(created);
    throw error;
  }
}
