import { ensure, Linear, ModuleDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { seeded } from '../layers/seeded';
import { ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../weighted-module';

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
  readonly layers: ModuleDict;
  readonly #classScore: Linear;
  readonly #boxDeltas: Linear;

  constructor({ inChannels = 1024, numClasses = 91, seed }: FastRcnnPredictorOptions = {}) {
    super();
    ensurePositiveIntegers('FastRcnnPredictor', { inChannels, numClasses });
    this.inChannels = inChannels;
    this.numClasses = numClasses;
    const init = { kind: 'uniform', bound: 1 / Math.sqrt(inChannels) } as const;
    const seedAt = (offset: number) => (seed === undefined ? undefined : seed + offset);
    const linear = (outFeatures: number, offset: number) =>
      new Linear({
        inFeatures: inChannels,
        outFeatures,
        weightInit: seeded(init, seedAt(offset)),
        biasInit: seeded(init, seedAt(offset + 1)),
      });
    this.#classScore = linear(numClasses, 0);
    this.#boxDeltas = linear(numClasses * 4, 2);
    this.layers = new ModuleDict([
      ['cls_score', this.#classScore],
      ['bbox_pred', this.#boxDeltas],
    ]);
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
      classLogits: tf.tidy(() => this.#classScore.forward(features)),
      boxRegression: tf.tidy(() => this.#boxDeltas.forward(features)),
    };
  }
}
