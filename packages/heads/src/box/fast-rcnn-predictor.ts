import { ensure } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { Linear } from '../layers/linear';
import type { Parameter } from '../layers/parameter';
import { ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../layers/weighted-module';

/** Options of {@link FastRcnnPredictor}. */
export interface FastRcnnPredictorOptions {
  /** Width of the box features (1024). */
  readonly inChannels?: number;
  /** Classes including background at index 0 (91 for torchvision's COCO models). */
  readonly numClasses?: number;
  /** Seed of the initial weights (torch `nn.Linear` default init). */
  readonly seed?: number;
}

/** Outputs of {@link FastRcnnPredictor.forward}; caller owns both. */
export interface FastRcnnPrediction {
  /** `[R, K]` float32 class logits (K includes background at 0). */
  readonly classLogits: tf.Tensor2D;
  /** `[R, 4K]` float32 per-class box deltas, column `4k + j` is delta j (dx, dy, dw, dh) of class k. */
  readonly boxRegression: tf.Tensor2D;
}

/**
 * Class scores and per-class box deltas (`models/detection/faster_rcnn.py::FastRCNNPredictor`):
 * two linear layers `cls_score` and `bbox_pred` under `roi_heads.box_predictor.`.
 */
export class FastRcnnPredictor extends WeightedModule {
  readonly defaultPrefix = 'roi_heads.box_predictor.';
  readonly inChannels: number;
  readonly numClasses: number;
  protected readonly parameters: readonly Parameter[];
  readonly #classScore: Linear;
  readonly #boxDeltas: Linear;

  constructor({ inChannels = 1024, numClasses = 91, seed }: FastRcnnPredictorOptions = {}) {
    super();
    ensurePositiveIntegers('FastRcnnPredictor', { inChannels, numClasses });
    this.inChannels = inChannels;
    this.numClasses = numClasses;
    const bound = 1 / Math.sqrt(inChannels);
    const linear = (name: string, outFeatures: number, offset: number) =>
      new Linear({
        name,
        inFeatures: inChannels,
        outFeatures,
        weightInit: { kind: 'uniform', bound },
        biasInit: { kind: 'uniform', bound },
        seed: seed === undefined ? undefined : seed + offset,
      });
    this.#classScore = linear('cls_score', numClasses, 0);
    this.#boxDeltas = linear('bbox_pred', numClasses * 4, 2);
    this.parameters = [...this.#classScore.parameters, ...this.#boxDeltas.parameters];
  }

  /**
   * @param features `[R, inChannels]` float32 (from {@link TwoMlpHead}); not disposed
   * @returns class logits and box deltas; caller owns. Differentiable.
   */
  forward(features: tf.Tensor2D): FastRcnnPrediction {
    ensure(
      features.rank === 2 && features.shape[1] === this.inChannels && features.dtype === 'float32',
      'INVALID_SHAPE',
      () =>
        `FastRcnnPredictor expects float32 [R, ${this.inChannels}], got ${features.dtype} [${features.shape.join(', ')}]`,
    );
    return {
      classLogits: tf.tidy(() => this.#classScore.apply(features, 'linear')),
      boxRegression: tf.tidy(() => this.#boxDeltas.apply(features, 'linear')),
    };
  }
}
