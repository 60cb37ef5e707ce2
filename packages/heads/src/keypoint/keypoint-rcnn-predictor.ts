import { ConvTranspose2d, ensure, ModuleDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { seeded } from '../layers/seeded';
import { ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../weighted-module';

/** Options of {@link KeypointRcnnPredictor}. */
export interface KeypointRcnnPredictorOptions {
  /** Channels from {@link KeypointRcnnHead} (512). */
  readonly inChannels?: number;
  /** Keypoint types K (17 for COCO persons). */
  readonly numKeypoints?: number;
  /** Seed of the initial weights (Kaiming normal fan_out, zero bias). */
  readonly seed?: number;
}

/**
 * Keypoint heatmap logits (`models/detection/keypoint_rcnn.py::KeypointRCNNPredictor`):
 * `kps_score_lowres`, a 4x4 stride-2 transposed conv with padding 1 (14 -> 28), then bilinear
 * upsampling x2 (28 -> 56) as torch `interpolate(scale_factor=2, mode='bilinear',
 * align_corners=False)`, which is tfjs `resizeBilinear` with half-pixel centers.
 * Names under `roi_heads.keypoint_predictor.`.
 */
export class KeypointRcnnPredictor extends WeightedModule {
  readonly defaultPrefix = 'roi_heads.keypoint_predictor.';
  readonly inChannels: number;
  readonly numKeypoints: number;
  readonly layers: ModuleDict;
  readonly #lowResolution: ConvTranspose2d;

  constructor({ inChannels = 512, numKeypoints = 17, seed }: KeypointRcnnPredictorOptions = {}) {
    super();
    ensurePositiveIntegers('KeypointRcnnPredictor', { inChannels, numKeypoints });
    this.inChannels = inChannels;
    this.numKeypoints = numKeypoints;
    this.#lowResolution = new ConvTranspose2d({
      inChannels,
      outChannels: numKeypoints,
      kernelSize: 4,
      stride: 2,
      padding: 1,
      weightInit: seeded({ kind: 'normal', std: Math.sqrt(2 / (inChannels * 16)) }, seed),
      biasInit: { kind: 'zeros' },
    });
    this.layers = new ModuleDict([['kps_score_lowres', this.#lowResolution]]);
  }

  /**
   * The transposed conv alone (torchvision's `kps_score_lowres` output).
   * @param features `[R, S, S, inChannels]` float32; not disposed
   * @returns `[R, 2S, 2S, K]` float32; caller owns.
   */
  forwardLowResolution(features: tf.Tensor4D): tf.Tensor4D {
    this.#ensureInput(features);
    const [count, height, width] = features.shape;
    if (count === 0) return tf.zeros([0, 2 * height, 2 * width, this.numKeypoints]);
    return tf.tidy(() => this.#lowResolution.forward(features));
  }

  /**
   * @param features `[R, S, S, inChannels]` float32 (S = 14 by default); not disposed
   * @returns `[R, 4S, 4S, K]` float32 heatmap logits (56x56 by default, keypoint type last); caller owns.
   */
  forward(features: tf.Tensor4D): tf.Tensor4D {
    this.#ensureInput(features);
    const [count, height, width] = features.shape;
    if (count === 0) return tf.zeros([0, 4 * height, 4 * width, this.numKeypoints]);
    return tf.tidy(() => {
      const low = this.#lowResolution.forward(features);
      return tf.image.resizeBilinear(low, [4 * height, 4 * width], false, true);
    });
  }

  #ensureInput(features: tf.Tensor): asserts features is tf.Tensor4D {
    ensure(
      features.rank === 4 && features.shape[3] === this.inChannels && features.dtype === 'float32',
      'INVALID_SHAPE',
      () =>
        `KeypointRcnnPredictor expects float32 [R, S, S, ${this.inChannels}], got ${features.dtype} [${features.shape.join(', ')}]`,
    );
  }
}
