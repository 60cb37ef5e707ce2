import {
  type Boxes,
  ensure,
  type FeatureMaps,
  type Instances,
  type LossRecord,
  type RoiPooler,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { BranchKey } from '../branches/branch-context';
import { ensureModulesFit } from '../branches/ensure-modules-fit';
import { poolPerImage, splitPerImage } from '../branches/pool-per-image';
import { disposePositiveSamples, positiveSamples } from '../branches/positive-samples';
import type { BranchLossInputs, BranchPrediction, RoiHeadBranch } from '../branches/roi-head-branch';
import { selectClassChannel } from '../layers/select-class';
import type { MaskRcnnHead } from './mask-rcnn-head';
import { maskRcnnLoss } from './mask-rcnn-loss';
import type { MaskRcnnPredictor } from './mask-rcnn-predictor';
import { maskTargets, type RoiAlignFunction } from './mask-targets';

/** What the mask branch shares with later branches in a training step (all over the positives, images concatenated). */
export interface MaskBranchOutputs {
  /** Per image `[P_i, 4]` positive boxes. */
  readonly boxes: readonly Boxes[];
  /** Per image `[P_i]` int32 matched GT index. */
  readonly matchedGtIndices: readonly tf.Tensor1D[];
  /** `[P, S, S, C]` pooled features (the mask head's input). */
  readonly pooled: tf.Tensor4D;
  /** `[P, M, M]` logits of each RoI's GT class. */
  readonly classLogits: tf.Tensor3D;
  /** `[P, M, M]` targets. */
  readonly maskTargets: tf.Tensor3D;
  /** `[P]` int32 GT class. */
  readonly labels: tf.Tensor1D;
}

/** The {@link BranchContext} slot the mask branch fills. */
export const MASK_BRANCH_OUTPUTS = new BranchKey<MaskBranchOutputs>('mask');

/** Options of {@link MaskBranch}; modules are passed built and owned by the branch from then on. */
export interface MaskBranchOptions {
  /** 14x14 pooler (torchvision: MultiScaleRoIAlign p2..p5, sampling ratio 2). */
  readonly pooler: RoiPooler;
  readonly head: MaskRcnnHead;
  readonly predictor: MaskRcnnPredictor;
  /** RoIAlign of GT masks onto proposals, for the targets (see {@link RoiAlignFunction}). */
  readonly roiAlign: RoiAlignFunction;
}

/**
 * The Mask R-CNN branch (torchvision `RoIHeads.forward`'s mask part): pool 14x14 features of
 * the boxes, mask head, predictor; at inference the sigmoid of each detection's predicted
 * class channel (`maskrcnn_inference`), in training `maskrcnn_loss` on the positives.
 */
export class MaskBranch implements RoiHeadBranch {
  readonly specificationVersion = 'v1';
  readonly name = 'mask';
  readonly pooler: RoiPooler;
  readonly head: MaskRcnnHead;
  readonly predictor: MaskRcnnPredictor;
  readonly #roiAlign: RoiAlignFunction;

  constructor({ pooler, head, predictor, roiAlign }: MaskBranchOptions) {
    ensureModulesFit('MaskBranch', pooler, head, predictor);
    this.pooler = pooler;
    this.head = head;
    this.predictor = predictor;
    this.#roiAlign = roiAlign;
  }

  /** Mask logits `[R, 2S, 2S, K]` for pooled features `[R, S, S, C]`; caller owns. */
  forward(pooled: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.predictor.forward(this.head.forward(pooled)));
  }

  /** @returns per image `{ masks: [N_i, 28, 28] }` probabilities of each detection's label; caller owns. */
  async predict(features: FeatureMaps, detections: readonly Instances[]): Promise<BranchPrediction[]> {
    const counts = detections.map((d) => d.boxes.shape[0]);
    const masks = tf.tidy(() => {
      const pooled = this.#pool(
        features,
        detections.map((d) => d.boxes),
      );
      const labels = tf.cast(tf.concat(detections.map((d) => d.labels)), 'int32') as tf.Tensor1D;
      return tf.sigmoid(selectClassChannel(this.forward(pooled), labels)) as tf.Tensor3D;
    });
    const perImage = splitPerImage(masks, counts);
    masks.dispose();
    return perImage.map((m) => ({ masks: m }));
  }

  /** `{ 'mask/bce' }` on the positives; stores {@link MASK_BRANCH_OUTPUTS} in the context. */
  loss({ features, samples, targets, context }: BranchLossInputs): LossRecord {
    const positives = positiveSamples(samples);
    try {
      const shared = tf.tidy(() => {
        const pooled = this.#pool(features, positives.boxes);
        const logits = this.forward(pooled);
        const perImageTargets = positives.boxes.map((boxes, i) => {
          const gtMasks = targets[i]?.masks;
          ensure(gtMasks, 'INVALID_ARGUMENT', () => `MaskBranch.loss: image ${i} has no GT masks`);
          return maskTargets({
            gtMasks,
            proposals: boxes,
            matchedGtIndices: positives.matchedGtIndices[i]!,
            size: logits.shape[1],
            roiAlign: this.#roiAlign,
          });
        });
        const allTargets = tf.concat(perImageTargets) as tf.Tensor3D;
        const loss = maskRcnnLoss({ maskLogits: logits, labels: positives.labels, maskTargets: allTargets });
        const classLogits = selectClassChannel(logits, positives.labels);
        return { loss, pooled, classLogits, allTargets };
      });
      const outputs: MaskBranchOutputs = {
        boxes: positives.boxes.map((b) => tf.keep(b)),
        matchedGtIndices: positives.matchedGtIndices.map((m) => tf.keep(m)),
        pooled: tf.keep(shared.pooled),
        classLogits: tf.keep(shared.classLogits),
        maskTargets: tf.keep(shared.allTargets),
        labels: tf.keep(positives.labels),
      };
      context.set(MASK_BRANCH_OUTPUTS, outputs, [
        ...outputs.boxes,
        ...outputs.matchedGtIndices,
        outputs.pooled,
        outputs.classLogits,
        outputs.maskTargets,
        outputs.labels,
      ]);
      return shared.loss;
    } catch (error) {
      disposePositiveSamples(positives);
      throw error;
    }
  }

  trainableVariables(): tf.Variable[] {
    return [...this.head.trainableVariables(), ...this.predictor.trainableVariables()];
  }

  /** Disposes the head and predictor (not the shared pooler). */
  dispose(): void {
    this.head.dispose();
    this.predictor.dispose();
  }

  #pool(features: FeatureMaps, boxes: readonly Boxes[]): tf.Tensor4D {
    return poolPerImage('MaskBranch', this.pooler, features, boxes, [
      this.head.resolution,
      this.head.inChannels,
    ]);
  }
}
