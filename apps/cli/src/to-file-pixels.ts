import {
  type Boxes,
  type ImageSize,
  mapBoxesToOriginal,
  mapKeypointsToOriginal,
  RcnnError,
} from '@rcnn/core';
import {
  DETECTION_FIELDS,
  type DetectionFieldName,
  type DetectorInstances,
  detectionFieldsOf,
} from '@rcnn/models';
import * as tf from '@tensorflow/tfjs-core';

/**
 * One image's detections moved from the pixels of a shrunk decode (`detection.imageSize`) to
 * the file's pixels (`fileSize`), each field as `DETECTION_FIELDS` says: boxes and keypoints
 * scaled per axis (`fileSize / imageSize`, the decode's `scaleX`/`scaleY`), per-RoI masks kept
 * (they are pasted later at `fileSize` with the mapped boxes), scores and labels kept.
 * @param detection per-RoI masks, not yet pasted; not disposed
 * @returns a new record at `fileSize`; caller owns (`disposeDetections`), tensors not replaced
 *   are clones
 * @throws RcnnError `INVALID_ARGUMENT` for masks already pasted at the decoded size
 */
export function toFilePixels(detection: DetectorInstances, fileSize: ImageSize): DetectorInstances {
  const imageSize = detection.imageSize;
  const mapped: Partial<Record<DetectionFieldName, tf.Tensor>> = {};
  try {
    for (const [name, tensor] of detectionFieldsOf(detection)) {
      const { coordinates } = DETECTION_FIELDS[name];
      if (coordinates === 'boxes') {
        mapped[name] = mapBoxesToOriginal(tensor as Boxes, imageSize, fileSize);
      } else if (coordinates === 'keypoints') {
        mapped[name] = mapKeypointsToOriginal(tensor as tf.Tensor3D, imageSize, fileSize);
      } else {
        if (coordinates === 'masks' && tensor.shape[1] !== tensor.shape[2]) {
          throw new RcnnError(
            'INVALID_ARGUMENT',
            `toFilePixels: ${name} must be per-RoI [N, M, M] masks, got [${tensor.shape.join(', ')}]`,
          );
        }
        mapped[name] = tf.clone(tensor);
      }
    }
  } catch (error) {
    tf.dispose(Object.values(mapped));
    throw error;
  }
  return { ...mapped, imageSize: [fileSize[0], fileSize[1]] } as DetectorInstances;
}
