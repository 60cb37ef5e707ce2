import { type Boxes, ensure, type FeatureMaps, type LossRecord, type RoiPooler } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { poolPerImage } from '../branches/pool-per-image';
import type { RoiSamples } from '../samples/build-roi-samples';
import { fastRcnnLoss } from './fast-rcnn-loss';
import type { FastRcnnPrediction, FastRcnnPredictor } from './fast-rcnn-predictor';
import type { TwoMlpHead } from './two-mlp-head';

/** Options of {@link BoxBranch}; modules are passed built and owned by the branch from then on. */
export interface BoxBranchOptions {
  /** 7x7 pooler (torchvision: MultiScaleRoIAlign p2..p5, sampling ratio 2). */
  readonly pooler: RoiPooler;
  readonly head: TwoMlpHead;
  readonly predictor: FastRcnnPredictor;
}

/**
 * The box branch (torchvision `RoIHeads.forward`'s box part, before postprocessing): pool 7x7
 * features of the proposals, {@link TwoMlpHead}, {@link FastRcnnPredictor}. Decoding, score
 * threshold and per-class NMS belong to `@rcnn/postprocess`. Separate from the
 * {@link RoiHeadBranch}es because every other branch runs on its output.
 */
export class BoxBranch {
  readonly pooler: RoiPooler;
  readonly head: TwoMlpHead;
  readonly predictor: FastRcnnPredictor;

  constructor({ pooler, head, predictor }: BoxBranchOptions) {
    ensure(
      pooler.outputSize[0] === head.resolution[0] && pooler.outputSize[1] === head.resolution[1],
      'INVALID_ARGUMENT',
      () =>
        `BoxBranch: pooler output ${pooler.outputSize.join('x')} does not match the head's ${head.resolution.join('x')}`,
    );
    ensure(
      predictor.inChannels === head.representationSize,
      'INVALID_ARGUMENT',
      () =>
        `BoxBranch: predictor reads ${predictor.inChannels} features, head gives ${head.representationSize}`,
    );
    this.pooler = pooler;
    this.head = head;
    this.predictor = predictor;
  }

  /**
   * @param boxes per image `[N_i, 4]` xyxy proposals (resized-image pixels); not disposed
   * @returns class logits `[sum N_i, K]` and deltas `[sum N_i, 4K]`, images in order; caller owns
   */
  forward(features: FeatureMaps, boxes: readonly Boxes[]): FastRcnnPrediction {
    const [height, width] = this.head.resolution;
    ensure(height === width, 'UNSUPPORTED', () => 'BoxBranch needs a square pooled resolution');
    return tf.tidy(() => {
      const pooled = poolPerImage('BoxBranch', this.pooler, features, boxes, [height, this.head.inChannels]);
      const { classLogits, boxRegression } = this.predictor.forward(this.head.forward(pooled));
      return { classLogits, boxRegression };
    });
  }

  /**
   * `{ 'roiHeads/classification', 'roiHeads/boxRegression' }` over every sampled RoI
   * (torchvision `fastrcnn_loss`). Synchronous and differentiable; caller owns the losses.
   */
  loss(features: FeatureMaps, samples: readonly RoiSamples[]): LossRecord {
    return tf.tidy(() => {
      const { classLogits, boxRegression } = this.forward(
        features,
        samples.map((s) => s.boxes),
      );
      return fastRcnnLoss({
        classLogits,
        boxRegression,
        labels: tf.concat(samples.map((s) => s.labels)) as tf.Tensor1D,
        regressionTargets: tf.concat(samples.map((s) => s.regressionTargets)) as tf.Tensor2D,
      });
    });
  }

  trainableVariables(): tf.Variable[] {
    return [...this.head.trainableVariables(), ...this.predictor.trainableVariables()];
  }

  /** Disposes the head and predictor (not the shared pooler). */
  dispose(): void {
    this.head.dispose();
    this.predictor.dispose();
  }
}
