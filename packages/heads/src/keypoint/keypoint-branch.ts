import {
  type Boxes,
  ensure,
  type FeatureMaps,
  type Instances,
  type LossRecord,
  type RoiPooler,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { ensureModulesFit } from '../branches/ensure-modules-fit';
import { poolPerImage, splitPerImage } from '../branches/pool-per-image';
import { disposePositiveSamples, positiveSamples } from '../branches/positive-samples';
import type { BranchLossInputs, BranchPrediction, RoiHeadBranch } from '../branches/roi-head-branch';
import type { KeypointRcnnHead } from './keypoint-rcnn-head';
import { keypointRcnnLoss } from './keypoint-rcnn-loss';
import type { KeypointRcnnPredictor } from './keypoint-rcnn-predictor';
import { keypointTargets } from './keypoint-targets';

/**
 * Turns heatmap logits into keypoint coordinates (torchvision `heatmaps_to_keypoints`), injected
 * because it belongs to `@rcnn/postprocess`, which heads must not import.
 * @param heatmaps `[N, S, S, K]` float32 logits of one image's detections; not to be disposed by the callee
 * @param boxes `[N, 4]` xyxy detections of that image
 * @returns `keypoints [N, K, 3]` (x, y, 1) and `keypointScores [N, K]`; the caller (heads) hands them on
 */
export type HeatmapDecoder = (
  heatmaps: tf.Tensor4D,
  boxes: Boxes,
) => Promise<{ keypoints: tf.Tensor3D; keypointScores: tf.Tensor2D }>;

/** Options of {@link KeypointBranch}; modules are passed built and owned by the branch from then on. */
export interface KeypointBranchOptions {
  /** 14x14 pooler (torchvision: MultiScaleRoIAlign p2..p5, sampling ratio 2). */
  readonly pooler: RoiPooler;
  readonly head: KeypointRcnnHead;
  readonly predictor: KeypointRcnnPredictor;
  readonly decodeHeatmaps: HeatmapDecoder;
}

/**
 * The keypoint R-CNN branch (torchvision `RoIHeads.forward`'s keypoint part): pool 14x14
 * features, eight-conv head, predictor to 56x56 heatmaps; at inference the injected decoder
 * gives coordinates, in training `keypointrcnn_loss` on the positives.
 */
export class KeypointBranch implements RoiHeadBranch {
  readonly specificationVersion = 'v1';
  readonly name = 'keypoint';
  readonly pooler: RoiPooler;
  readonly head: KeypointRcnnHead;
  readonly predictor: KeypointRcnnPredictor;
  readonly #decodeHeatmaps: HeatmapDecoder;

  constructor({ pooler, head, predictor, decodeHeatmaps }: KeypointBranchOptions) {
    ensureModulesFit('KeypointBranch', pooler, head, predictor);
    this.pooler = pooler;
    this.head = head;
    this.predictor = predictor;
    this.#decodeHeatmaps = decodeHeatmaps;
  }

  /** Heatmap logits `[R, 4S, 4S, K]` for pooled features `[R, S, S, C]`; caller owns. */
  forward(pooled: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.predictor.forward(this.head.forward(pooled)));
  }

  /** @returns per image `{ keypoints [N_i, K, 3], keypointScores [N_i, K] }`; caller owns. */
  async predict(features: FeatureMaps, detections: readonly Instances[]): Promise<BranchPrediction[]> {
    const counts = detections.map((d) => d.boxes.shape[0]);
    const logits = tf.tidy(() =>
      this.forward(
        this.#pool(
          features,
          detections.map((d) => d.boxes),
        ),
      ),
    );
    const perImage = splitPerImage(logits, counts);
    logits.dispose();
    const results: BranchPrediction[] = [];
    try {
      for (const [i, heatmaps] of perImage.entries()) {
        const { keypoints, keypointScores } = await this.#decodeHeatmaps(heatmaps, detections[i]!.boxes);
        results.push({ keypoints, keypointScores });
      }
      return results;
    } catch (error) {
      for (const result of results) tf.dispose([result.keypoints!, result.keypointScores!]);
      throw error;
    } finally {
      tf.dispose(perImage);
    }
  }

  /** `{ 'keypoint/crossEntropy' }` on the positives. */
  loss({ features, samples, targets }: BranchLossInputs): LossRecord {
    const positives = positiveSamples(samples);
    try {
      return tf.tidy(() => {
        const logits = this.forward(this.#pool(features, positives.boxes));
        const perImage = positives.boxes.map((boxes, i) => {
          const gtKeypoints = targets[i]?.keypoints;
          ensure(
            gtKeypoints,
            'INVALID_ARGUMENT',
            () => `KeypointBranch.loss: image ${i} has no GT keypoints`,
          );
          return keypointTargets({
            gtKeypoints,
            proposals: boxes,
            matchedGtIndices: positives.matchedGtIndices[i]!,
            size: logits.shape[1],
          });
        });
        const numKeypoints = this.predictor.numKeypoints;
        const concat = (parts: tf.Tensor2D[]) =>
          (parts.length > 0 ? tf.concat(parts) : tf.zeros([0, numKeypoints], 'int32')) as tf.Tensor2D;
        return keypointRcnnLoss({
          keypointLogits: logits,
          heatmaps: concat(perImage.map((t) => t.heatmaps)),
          valid: concat(perImage.map((t) => t.valid)),
        });
      });
    } finally {
      disposePositiveSamples(positives);
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
    return poolPerImage('KeypointBranch', this.pooler, features, boxes, [
      this.head.resolution,
      this.head.inChannels,
    ]);
  }
}
