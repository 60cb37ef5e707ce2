import { asBoxes, type Boxes } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * torchvision `RoIHeads.add_gt_proposals`: the GT boxes appended after the proposals, so
 * every GT box is a (perfect) positive candidate during training.
 * @param proposals `[P, 4]` xyxy; not disposed
 * @param gtBoxes `[G, 4]` xyxy; not disposed
 * @returns `[P + G, 4]` float32 xyxy; caller owns
 */
export function appendGtProposals(proposals: Boxes, gtBoxes: Boxes): Boxes {
  return asBoxes(tf.tidy(() => tf.concat([tf.cast(proposals, 'float32'), tf.cast(gtBoxes, 'float32')], 0)));
}
