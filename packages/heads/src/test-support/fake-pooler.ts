import type { Boxes, FeatureMaps, RoiPooler } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Test-only pooler: bilinear crops of the first level with `tf.image.cropAndResize`
 * (boxes divided by the level's image-pixel extent). Deterministic and box-dependent, which is
 * all the branch tests need; RoIAlign itself lives in @rcnn/roi-align.
 */
export function fakePooler(size: number): RoiPooler & { calls: number } {
  const pooler = {
    specificationVersion: 'v1' as const,
    outputSize: [size, size] as const,
    calls: 0,
    pool(features: FeatureMaps, boxes: readonly Boxes[]): tf.Tensor4D {
      pooler.calls++;
      return tf.tidy(() => {
        const level = features[0]!;
        const [, height, width] = level.tensor.shape;
        const extent = [height * level.stride, width * level.stride];
        const normalized = tf.concat(
          boxes.map((b) => {
            const [x1, y1, x2, y2] = tf.unstack(b, 1);
            return tf.stack(
              [
                tf.div(y1!, extent[0]!),
                tf.div(x1!, extent[1]!),
                tf.div(y2!, extent[0]!),
                tf.div(x2!, extent[1]!),
              ],
              1,
            );
          }),
        ) as tf.Tensor2D;
        const imageOfBox = boxes.flatMap((b, i) => Array(b.shape[0]).fill(i) as number[]);
        return tf.image.cropAndResize(level.tensor, normalized, tf.tensor1d(imageOfBox, 'int32'), [
          size,
          size,
        ]);
      });
    },
  };
  return pooler;
}
