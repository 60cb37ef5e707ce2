import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RpnHeadLevelOutputs } from './rpn-head';

/** RPN head outputs for all levels, flattened in anchor order (level, y, x, anchor). */
export interface RpnHeadOutputs {
  /** `[B, numAnchors]` float32 objectness logits. */
  readonly objectness: tf.Tensor2D;
  /** `[B, numAnchors, 4]` float32 box deltas (dx, dy, dw, dh) relative to the anchors. */
  readonly boxDeltas: tf.Tensor3D;
  /** `H_l * W_l * A` for every level, fine to coarse. */
  readonly numAnchorsPerLevel: readonly number[];
}

/**
 * Flattens per-level NHWC head outputs into one row per anchor, in the anchor generator's order
 * (torchvision `models/detection/rpn.py::concat_box_prediction_layers`; NHWC makes its permute a
 * reshape). Synchronous and differentiable.
 * @param levels per-level outputs; not disposed
 * @returns caller owns the two tensors.
 */
export function flattenHeadOutputs(levels: RpnHeadLevelOutputs): RpnHeadOutputs {
  ensure(
    levels.objectness.length > 0 && levels.objectness.length === levels.boxDeltas.length,
    'INVALID_ARGUMENT',
    () => 'head outputs need the same non-zero number of objectness and box-delta levels',
  );
  const numAnchorsPerLevel = levels.objectness.map((scores, level) => {
    const [b, h, w, a] = scores.shape;
    const deltas = levels.boxDeltas[level]!;
    ensure(
      deltas.shape.join() === [b, h, w, 4 * a].join(),
      'INVALID_SHAPE',
      () =>
        `level ${level}: box deltas [${deltas.shape.join(', ')}] do not match objectness [${scores.shape.join(', ')}] (need 4A channels)`,
    );
    ensure(
      b === levels.objectness[0]!.shape[0],
      'INVALID_SHAPE',
      () => `level ${level} has batch ${b}, level 0 has ${levels.objectness[0]!.shape[0]}`,
    );
    return h * w * a;
  });
  return tf.tidy(() => {
    const batch = levels.objectness[0]!.shape[0];
    const objectness = tf.concat(
      levels.objectness.map((scores) => tf.reshape(scores, [batch, -1])),
      1,
    ) as tf.Tensor2D;
    const boxDeltas = tf.concat(
      levels.boxDeltas.map((deltas) => tf.reshape(deltas, [batch, -1, 4])),
      1,
    ) as tf.Tensor3D;
    return { objectness, boxDeltas, numAnchorsPerLevel };
  });
}
