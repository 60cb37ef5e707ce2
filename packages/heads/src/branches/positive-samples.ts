import { asBoxes, type Boxes } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RoiSamples } from '../samples/build-roi-samples';

/** The positive RoIs of every image (torchvision: `where(labels > 0)` per image). Caller owns every tensor. */
export interface PositiveSamples {
  /** Per image `[P_i, 4]` xyxy. */
  readonly boxes: Boxes[];
  /** Per image `[P_i]` int32 matched GT index. */
  readonly matchedGtIndices: tf.Tensor1D[];
  /** `[sum P_i]` int32 GT class, images concatenated. */
  readonly labels: tf.Tensor1D;
  /** `sum P_i`. */
  readonly count: number;
}

/** Gathers the positives of each image's samples (positions known on the host: no read-back). */
export function positiveSamples(samples: readonly RoiSamples[]): PositiveSamples {
  return tf.tidy(() => {
    const boxes: Boxes[] = [];
    const matchedGtIndices: tf.Tensor1D[] = [];
    const labels: tf.Tensor1D[] = [];
    for (const sample of samples) {
      const positions = tf.tensor1d(sample.positivePositions, 'int32');
      boxes.push(asBoxes(tf.gather(sample.boxes, positions)));
      matchedGtIndices.push(tf.gather(sample.matchedGtIndices, positions));
      labels.push(tf.gather(sample.labels, positions));
    }
    const all =
      labels.length > 0 ? (tf.concat(labels) as tf.Tensor1D) : (tf.zeros([0], 'int32') as tf.Tensor1D);
    return { boxes, matchedGtIndices, labels: all, count: all.shape[0] };
  });
}

/** Disposes a {@link PositiveSamples}. */
export function disposePositiveSamples(positives: PositiveSamples): void {
  tf.dispose([...positives.boxes, ...positives.matchedGtIndices, positives.labels]);
}
