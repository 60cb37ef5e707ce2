import * as tf from '@tensorflow/tfjs-core';
import { ensure } from '../errors/rcnn-error';
import type { Boxes } from '../types/boxes';
import { checkBoxes } from './validate';

/** Options of {@link BoxCoder}. */
export interface BoxCoderOptions {
  /** `[wx, wy, ww, wh]`: deltas are scaled by these (torchvision: RPN (1,1,1,1), box head (10,10,5,5)). */
  readonly weights: readonly [wx: number, wy: number, ww: number, wh: number];
  /** Upper clamp on decoded dw/dh (after dividing by the weights) before exp. Default log(1000 / 16). */
  readonly scaleClamp?: number;
}

/**
 * Encodes boxes as (dx, dy, dw, dh) offsets from reference boxes and back
 * (torchvision/models/detection/_utils.py::BoxCoder): width = x2 - x1 (no +1),
 * centre = x1 + 0.5 * width, dx = wx * (cx - cx_ref) / w_ref, dw = ww * log(w / w_ref).
 * Every op is the same float32 op torch runs, in the same order.
 */
export class BoxCoder {
  readonly weights: readonly [number, number, number, number];
  readonly scaleClamp: number;

  constructor({ weights, scaleClamp = Math.log(1000 / 16) }: BoxCoderOptions) {
    ensure(
      Array.isArray(weights) && weights.length === 4 && weights.every((w) => Number.isFinite(w) && w !== 0),
      'INVALID_ARGUMENT',
      () => `BoxCoder weights must be 4 finite non-zero numbers, got [${String(weights)}]`,
    );
    ensure(!Number.isNaN(scaleClamp), 'INVALID_ARGUMENT', () => 'BoxCoder scaleClamp must be a number');
    this.weights = [weights[0], weights[1], weights[2], weights[3]];
    this.scaleClamp = scaleClamp;
  }

  /**
   * Regression targets that move each reference box onto its target box
   * (torchvision BoxCoder.encode_single(reference_boxes=targetBoxes, proposals=referenceBoxes)).
   *
   * @param targetBoxes `[N, 4]` float32 xyxy pixels (e.g. matched ground truth); not disposed
   * @param referenceBoxes `[N, 4]` float32 xyxy pixels (anchors or proposals); not disposed
   * @returns `[N, 4]` float32 (dx, dy, dw, dh); caller owns
   */
  encode(targetBoxes: Boxes, referenceBoxes: Boxes): tf.Tensor2D {
    checkBoxes(targetBoxes, 'targetBoxes');
    checkBoxes(referenceBoxes, 'referenceBoxes');
    ensure(
      targetBoxes.shape[0] === referenceBoxes.shape[0],
      'INVALID_SHAPE',
      () =>
        `encode needs one reference box per target box, got ${targetBoxes.shape[0]} and ${referenceBoxes.shape[0]}`,
    );
    const [wx, wy, ww, wh] = this.weights;
    return tf.tidy(() => {
      const target = centreForm(targetBoxes);
      const reference = centreForm(referenceBoxes);
      const dx = tf.div(tf.mul(wx, tf.sub(target.centreX, reference.centreX)), reference.width);
      const dy = tf.div(tf.mul(wy, tf.sub(target.centreY, reference.centreY)), reference.height);
      const dw = tf.mul(ww, tf.log(tf.div(target.width, reference.width)));
      const dh = tf.mul(wh, tf.log(tf.div(target.height, reference.height)));
      return tf.stack([dx, dy, dw, dh], 1) as tf.Tensor2D;
    });
  }

  /**
   * Applies deltas to reference boxes (torchvision BoxCoder.decode_single): dw and dh are
   * divided by their weights, clamped above at `scaleClamp`, then exponentiated.
   *
   * @param deltas `[N, 4 * K]` float32: K sets of (dx, dy, dw, dh) per box (K classes, or 1); not disposed
   * @param referenceBoxes `[N, 4]` float32 xyxy pixels; not disposed
   * @returns `[N, 4 * K]` float32 xyxy pixels, box k of row n at columns 4k..4k+3; caller owns
   */
  decode(deltas: tf.Tensor2D, referenceBoxes: Boxes): tf.Tensor2D {
    checkBoxes(referenceBoxes, 'referenceBoxes');
    ensure(
      deltas.rank === 2 && deltas.shape[1] % 4 === 0 && deltas.shape[1] > 0,
      'INVALID_SHAPE',
      () => `deltas must have shape [N, 4 * K], got [${deltas.shape.join(', ')}]`,
    );
    const n = referenceBoxes.shape[0];
    ensure(
      deltas.shape[0] === n,
      'INVALID_SHAPE',
      () => `decode needs one row of deltas per reference box, got ${deltas.shape[0]} and ${n}`,
    );
    const perBox = deltas.shape[1] / 4;
    const [wx, wy, ww, wh] = this.weights;
    return tf.tidy(() => {
      const reference = centreForm(referenceBoxes);
      const column = (values: tf.Tensor1D) => tf.expandDims(values, 1); // [N] -> [N, 1], broadcast over K
      const [rawX, rawY, rawW, rawH] = tf.unstack(tf.reshape(tf.cast(deltas, 'float32'), [n, perBox, 4]), 2);
      const dx = tf.div(rawX!, wx);
      const dy = tf.div(rawY!, wy);
      const dw = tf.minimum(tf.div(rawW!, ww), this.scaleClamp);
      const dh = tf.minimum(tf.div(rawH!, wh), this.scaleClamp);
      const centreX = tf.add(tf.mul(dx, column(reference.width)), column(reference.centreX));
      const centreY = tf.add(tf.mul(dy, column(reference.height)), column(reference.centreY));
      const halfWidth = tf.mul(0.5, tf.mul(tf.exp(dw), column(reference.width)));
      const halfHeight = tf.mul(0.5, tf.mul(tf.exp(dh), column(reference.height)));
      const corners = [
        tf.sub(centreX, halfWidth),
        tf.sub(centreY, halfHeight),
        tf.add(centreX, halfWidth),
        tf.add(centreY, halfHeight),
      ];
      return tf.reshape(tf.stack(corners, 2), [n, perBox * 4]) as tf.Tensor2D;
    });
  }
}

interface CentreForm {
  width: tf.Tensor1D;
  height: tf.Tensor1D;
  centreX: tf.Tensor1D;
  centreY: tf.Tensor1D;
}

/** Widths, heights and centres as torchvision computes them: x1 + 0.5 * (x2 - x1). Call inside tidy. */
function centreForm(boxes: Boxes): CentreForm {
  const [x1, y1, x2, y2] = tf.unstack(tf.cast(boxes, 'float32'), 1) as tf.Tensor1D[];
  const width = tf.sub(x2!, x1!) as tf.Tensor1D;
  const height = tf.sub(y2!, y1!) as tf.Tensor1D;
  return {
    width,
    height,
    centreX: tf.add(x1!, tf.mul(0.5, width)) as tf.Tensor1D,
    centreY: tf.add(y1!, tf.mul(0.5, height)) as tf.Tensor1D,
  };
}
