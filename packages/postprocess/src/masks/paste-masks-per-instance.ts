import type { Boxes, ImageSize } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkPasteInputs, expandBoxesToIntegers, padMasks } from './paste-geometry';
import type { PasteMasksOptions } from './paste-masks';

/**
 * The same result as {@link pasteMasks} (torchvision paste_masks_in_image), computed the
 * way torchvision does it: each padded mask is resized to its own integer box with
 * tf.image.resizeBilinear (half-pixel centres, which is torch's align_corners=False rule)
 * and padded into place. Work is proportional to the box areas instead of
 * `N * H * W * (M + 2p)`, so this is the faster path on cpu and wasm; but every instance
 * has its own shapes and the integer boxes are read back once, so prefer
 * {@link pasteMasks} on GPU backends (one compiled program for all images).
 *
 * @param masks `[N, M, M]` float32 probabilities; not disposed
 * @param boxes `[N, 4]` float32 xyxy in the pixels of the image pasted into; not disposed
 * @param imageSize `[height, width]` of that image
 * @returns `[N, height, width]` float32 probabilities; caller owns
 */
export async function pasteMasksPerInstance(
  masks: tf.Tensor3D,
  boxes: Boxes,
  imageSize: ImageSize,
  { padding = 1 }: PasteMasksOptions = {},
): Promise<tf.Tensor3D> {
  checkPasteInputs(masks, boxes, imageSize, padding);
  const [height, width] = imageSize;
  const count = masks.shape[0];
  if (count === 0) return tf.zeros([0, height, width]);
  const integerBoxes = tf.tidy(() => expandBoxesToIntegers(boxes, masks.shape[1], padding));
  let corners: Float32Array;
  try {
    corners = (await integerBoxes.data()) as Float32Array;
  } finally {
    integerBoxes.dispose();
  }
  const paddedSide = masks.shape[1] + 2 * padding;
  return tf.tidy(() => {
    const padded = tf.reshape(padMasks(masks, padding), [count, paddedSide, paddedSide, 1]);
    const pasted = Array.from({ length: count }, (_, n) => {
      const [x1, y1, x2, y2] = corners.subarray(n * 4, n * 4 + 4) as unknown as [
        number,
        number,
        number,
        number,
      ];
      // torch: the paste window is [max(y1, 0), min(y2 + 1, H)) x [max(x1, 0), min(x2 + 1, W)).
      const top = Math.max(y1, 0);
      const bottom = Math.min(y2 + 1, height);
      const left = Math.max(x1, 0);
      const right = Math.min(x2 + 1, width);
      if (bottom <= top || right <= left) return tf.zeros([1, height, width]);
      const boxHeight = Math.max(y2 - y1 + 1, 1);
      const boxWidth = Math.max(x2 - x1 + 1, 1);
      const mask = tf.slice(padded, [n, 0, 0, 0], [1, paddedSide, paddedSide, 1]);
      const resized = tf.image.resizeBilinear(mask as tf.Tensor4D, [boxHeight, boxWidth], false, true);
      const visible = tf.slice(resized, [0, top - y1, left - x1, 0], [1, bottom - top, right - left, 1]);
      return tf.pad(tf.reshape(visible, [1, bottom - top, right - left]), [
        [0, 0],
        [top, height - bottom],
        [left, width - right],
      ]);
    });
    return tf.concat(pasted) as tf.Tensor3D;
  });
}
