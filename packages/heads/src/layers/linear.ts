import { torchToTfjsLayout } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { createVariable, type Initializer, type Parameter } from './parameter';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** torchvision module name, e.g. `fc6`; parameters are `<name>.weight`, `<name>.bias`. */
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weightInit: Initializer;
  readonly biasInit: Initializer;
  readonly seed?: number;
  /**
   * When the layer reads flattened pooled features: torch flattens `[N, C, H, W]` (C,H,W order),
   * we flatten NHWC `[N, H, W, C]`; the weight rows are permuted at load so both agree.
   */
  readonly flattenedFrom?: { readonly channels: number; readonly height: number; readonly width: number };
}

/** A fully connected layer (torch `nn.Linear`), weight stored `[in, out]` for a plain `x @ w`. */
export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly parameters: readonly Parameter[];

  constructor({ name, inFeatures, outFeatures, weightInit, biasInit, seed, flattenedFrom }: LinearOptions) {
    this.weight = createVariable([inFeatures, outFeatures], weightInit, seed);
    this.bias = createVariable([outFeatures], biasInit, seed === undefined ? undefined : seed + 1);
    const fromTorch = flattenedFrom
      ? (data: Float32Array) =>
          torchToTfjsLayout(
            data,
            [outFeatures, inFeatures],
            [flattenedFrom.channels, flattenedFrom.height, flattenedFrom.width],
          )
      : (data: Float32Array) => torchToTfjsLayout(data, [outFeatures, inFeatures]);
    this.parameters = [
      {
        name: `${name}.weight`,
        aliases: [],
        torchShape: [outFeatures, inFeatures],
        variable: this.weight,
        fromTorch,
      },
      {
        name: `${name}.bias`,
        aliases: [],
        torchShape: [outFeatures],
        variable: this.bias,
        fromTorch: (d) => d,
      },
    ];
  }

  /** @param x `[N, in]` float32. @returns `[N, out]`; caller owns. */
  apply(x: tf.Tensor2D, activation: 'linear' | 'relu'): tf.Tensor2D {
    return tf.fused.matMul({
      a: x,
      b: this.weight as tf.Tensor2D,
      bias: this.bias,
      activation,
    }) as tf.Tensor2D;
  }
}
