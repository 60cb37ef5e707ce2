import { Conv2d, ConvTranspose2d, ensure, ModuleDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { seeded } from '../layers/seeded';
import { ensurePositiveIntegers } from '../layers/validate';
import { WeightedModule } from '../weighted-module';

/** Options of {@link MaskRcnnPredictor}. Defaults are torchvision's COCO Mask R-CNN. */
export interface MaskRcnnPredictorOptions {
  /** Channels from {@link MaskRcnnHead} (256). */
  readonly inChannels?: number;
  /** Channels of the upsampled map (256). */
  readonly dimReduced?: number;
  /** Mask channels, one per class including background at 0 (91). */
  readonly numClasses?: number;
  /** Seed of the initial weights (Kaiming normal fan_out, zero bias). */
  readonly seed?: number;
}

/**
 * Mask logits per class (`models/detection/mask_rcnn.py::MaskRCNNPredictor`): `conv5_mask`
 * (2x2 stride-2 transposed conv) + ReLU doubles the size (14 -> 28), then `mask_fcn_logits`
 * (1x1 conv) gives one logit map per class. Names under `roi_heads.mask_predictor.`.
 */
export class MaskRcnnPredictor extends WeightedModule {
  readonly defaultPrefix = 'roi_heads.mask_predictor.';
  readonly inChannels: number;
  readonly numClasses: number;
  readonly layers: ModuleDict;
  readonly #upsample: ConvTranspose2d;
  readonly #logits: Conv2d;

  constructor({ inChannels = 256, dimReduced = 256, numClasses = 91, seed }: MaskRcnnPredictorOptions = {}) {
    super();
    ensurePositiveIntegers('MaskRcnnPredictor', { inChannels, dimReduced, numClasses });
    this.inChannels = inChannels;
    this.numClasses = numClasses;
    this.#upsample = new ConvTranspose2d({
      inChannels,
      outChannels: dimReduced,
      kernelSize: 2,
      stride: 2,
      padding: 0,
      // torch's fan_out of a transposed-conv weight [in, out, k, k] is in * k * k
      weightInit: seeded({ kind: 'normal', std: Math.sqrt(2 / (inChannels * 4)) }, seed),
      biasInit: { kind: 'zeros' },
    });
    this.#logits = new Conv2d({
      inChannels: dimReduced,
      outChannels: numClasses,
      kernelSize: 1,
      padding: 0,
      weightInit: seeded(
        { kind: 'normal', std: Math.sqrt(2 / numClasses) },
        seed === undefined ? undefined : seed + 2,
      ),
      biasInit: { kind: 'zeros' },
    });
    this.layers = new ModuleDict([
      ['conv5_mask', this.#upsample],
      ['mask_fcn_logits', this.#logits],
    ]);
  }

  /**
   * @param features `[R, S, S, inChannels]` float32 (S = 14 by default); not disposed
   * @returns `[R, 2S, 2S, numClasses]` float32 mask logits (NHWC: class is the last axis); caller owns.
   */
  forward(features: tf.Tensor4D): tf.Tensor4D {
    ensure(
      features.rank === 4 && features.shape[3] === this.inChannels && features.dtype === 'float32',
      'INVALID_SHAPE',
      () =>
        `MaskRcnnPredictor expects float32 [R, S, S, ${this.inChannels}], got ${features.dtype} [${features.shape.join(', ')}]`,
    );
    const [count, height, width] = features.shape;
    if (count === 0) return tf.zeros([0, 2 * height, 2 * width, this.numClasses]);
    return tf.tidy(() => this.#logits.forward(this.#upsample.forward(features, 'relu')));
  }
}
