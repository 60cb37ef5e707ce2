import { torchToTfjsLayout } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { createVariable, type Initializer, type Parameter } from './parameter';

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** torchvision module name, e.g. `0.0` or `conv5_mask`; parameters are `<name>.weight`, `<name>.bias`. */
  readonly name: string;
  /** Older names of the same module accepted on load (e.g. `mask_fcn1`). */
  readonly aliases?: readonly string[];
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride?: number;
  /** Zero padding on every side, as torch's `padding` (explicit, so stride 2 pads like torch). */
  readonly padding: number;
  readonly dilation?: number;
  readonly weightInit: Initializer;
  readonly biasInit: Initializer;
  readonly seed?: number;
}

/** A 2-D convolution (torch `nn.Conv2d`), NHWC, filter stored HWIO. */
export class Conv2d {
  readonly filter: tf.Variable;
  readonly bias: tf.Variable;
  readonly parameters: readonly Parameter[];
  readonly #stride: number;
  readonly #padding: number;
  readonly #dilation: number;

  constructor(options: Conv2dOptions) {
    const { name, aliases = [], inChannels, outChannels, kernelSize: k, seed } = options;
    this.#stride = options.stride ?? 1;
    this.#padding = options.padding;
    this.#dilation = options.dilation ?? 1;
    this.filter = createVariable([k, k, inChannels, outChannels], options.weightInit, seed);
    this.bias = createVariable([outChannels], options.biasInit, seed === undefined ? undefined : seed + 1);
    const torchShape = [outChannels, inChannels, k, k];
    this.parameters = [
      {
        name: `${name}.weight`,
        aliases: aliases.map((alias) => `${alias}.weight`),
        torchShape,
        variable: this.filter,
        fromTorch: (data) => torchToTfjsLayout(data, torchShape),
      },
      {
        name: `${name}.bias`,
        aliases: aliases.map((alias) => `${alias}.bias`),
        torchShape: [outChannels],
        variable: this.bias,
        fromTorch: (data) => data,
      },
    ];
  }

  /** @param x `[N, H, W, inChannels]`. @returns `[N, H', W', outChannels]`; caller owns. */
  apply(x: tf.Tensor4D, activation: 'linear' | 'relu'): tf.Tensor4D {
    const p = this.#padding;
    return tf.fused.conv2d({
      x,
      filter: this.filter as tf.Tensor4D,
      strides: this.#stride,
      pad: [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ],
      dilations: this.#dilation,
      bias: this.bias,
      activation,
    });
  }
}
