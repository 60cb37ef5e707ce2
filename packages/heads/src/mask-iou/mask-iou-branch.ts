import {
  detached,
  ensure,
  type FeatureMaps,
  type Instances,
  type LossRecord,
  type RoiPooler,
  stopGradient,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { poolPerImage, splitPerImage } from '../branches/pool-per-image';
import type { BranchLossInputs, BranchPrediction, RoiHeadBranch } from '../branches/roi-head-branch';
import { selectClassColumn } from '../layers/select-class';
import { MASK_BRANCH_OUTPUTS } from '../mask/mask-branch';
import { maskAreaRatios } from './mask-area-ratios';
import type { MaskIouHead } from './mask-iou-head';
import { maskIouLoss } from './mask-iou-loss';
import { maskIouTargets } from './mask-iou-targets';

/** Options of {@link MaskIouBranch}; the head is owned by the branch from then on. */
export interface MaskIouBranchOptions {
  /** The mask branch's 14x14 pooler (pools detections at inference; training reuses the mask branch's features). */
  readonly pooler: RoiPooler;
  readonly head: MaskIouHead;
  /** Loss weight (1). */
  readonly lossWeight?: number;
  /**
   * Treat the predicted mask fed to the MaskIoU head as a constant, so the MaskIoU loss trains
   * only the MaskIoU head (default true, our choice: the reference code does not say).
   */
  readonly detachMask?: boolean;
}

/**
 * Mask Scoring R-CNN's extra branch; must come after a {@link MaskBranch}. Training: the mask
 * branch's positives, their GT-class mask probabilities and targets (from the
 * {@link BranchContext}) give MaskIoU targets ({@link maskIouTargets} with
 * {@link maskAreaRatios}) and the L2 loss. Inference: each detection's MaskIoU for its label
 * from its 28x28 mask; `maskScores = scores * MaskIoU` ranks the masks.
 */
export class MaskIouBranch implements RoiHeadBranch {
  readonly specificationVersion = 'v1';
  readonly name = 'maskIou';
  readonly pooler: RoiPooler;
  readonly head: MaskIouHead;
  readonly #lossWeight: number;
  readonly #detachMask: boolean;

  constructor({ pooler, head, lossWeight = 1, detachMask = true }: MaskIouBranchOptions) {
    ensure(
      pooler.outputSize[0] === head.resolution && pooler.outputSize[1] === head.resolution,
      'INVALID_ARGUMENT',
      () =>
        `MaskIouBranch: pooler output ${pooler.outputSize.join('x')} does not match the head's ${head.resolution}`,
    );
    this.pooler = pooler;
    this.head = head;
    this.#lossWeight = lossWeight;
    this.#detachMask = detachMask;
  }

  /** @returns per image `{ maskScores: [N_i] }` = score x predicted MaskIoU of the label; caller owns. */
  async predict(features: FeatureMaps, detections: readonly Instances[]): Promise<BranchPrediction[]> {
    const counts = detections.map((d) => d.boxes.shape[0]);
    for (const [i, d] of detections.entries()) {
      ensure(
        d.masks && d.masks.shape[1] === 2 * this.head.resolution,
        'INVALID_ARGUMENT',
        () =>
          `MaskIouBranch needs per-RoI ${2 * this.head.resolution}x${2 * this.head.resolution} masks on image ${i} (run the mask branch first, before pasting)`,
      );
    }
    const scores = tf.tidy(() => {
      const pooled = poolPerImage(
        'MaskIouBranch',
        this.pooler,
        features,
        detections.map((d) => d.boxes),
        [this.head.resolution, this.head.inChannels],
      );
      const masks = tf.concat(detections.map((d) => d.masks!)) as tf.Tensor3D;
      const labels = tf.cast(tf.concat(detections.map((d) => d.labels)), 'int32') as tf.Tensor1D;
      const maskIou = selectClassColumn(this.head.forward(pooled, masks), labels);
      return tf.mul(tf.concat(detections.map((d) => d.scores)), maskIou) as tf.Tensor1D;
    });
    const perImage = splitPerImage(scores, counts);
    scores.dispose();
    return perImage.map((maskScores) => ({ maskScores }));
  }

  /** `{ 'maskIou/l2' }` on the mask branch's positives. */
  loss({ targets, context }: BranchLossInputs): LossRecord {
    const mask = context.get(MASK_BRANCH_OUTPUTS);
    ensure(
      mask,
      'INVALID_ARGUMENT',
      () => 'MaskIouBranch.loss needs the mask branch to run first in the same step',
    );
    return tf.tidy(() => {
      const probabilities = tf.sigmoid(mask.classLogits) as tf.Tensor3D;
      const ratios = mask.boxes.map((boxes, i) =>
        maskAreaRatios({
          gtMasks: targets[i]!.masks!,
          proposals: boxes,
          matchedGtIndices: mask.matchedGtIndices[i]!,
        }),
      );
      const areaRatios = (ratios.length > 0 ? tf.concat(ratios) : tf.zeros([0])) as tf.Tensor1D;
      // targets are constants: computed off the tape (they threshold the predictions)
      const iouTargets = detached(() =>
        maskIouTargets({ maskProbabilities: probabilities, maskTargets: mask.maskTargets, areaRatios }),
      );
      const input = this.#detachMask ? stopGradient(probabilities) : probabilities;
      return maskIouLoss({
        maskIouPrediction: this.head.forward(mask.pooled, input),
        labels: mask.labels,
        maskIouTargets: iouTargets,
        weight: this.#lossWeight,
      });
    });
  }

  trainableVariables(): tf.Variable[] {
    return this.head.trainableVariables();
  }

  /** Disposes the head (not the shared pooler). */
  dispose(): void {
    this.head.dispose();
  }
}
