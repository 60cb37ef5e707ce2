import { torchToTfjsLayout } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { createVariable, type Initializer, type Parameter } from './parameter';

/** Options of {@link ConvTranspose2d}. */
export interface ConvTranspose2dOptions {
  /** torchvision module name, e.g. `conv5_mask`. */
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  /** torch's `padding`: output is `(H - 1) * stride - 2 * padding + kernelSize`. */
  readonly padding: number;
  readonly weightInit: Initializer;
  readonly biasInit: Initializer;
  readonly seed?: number;
}

/**
 * A transposed convolution (torch `nn.ConvTranspose2d`, no output padding), NHWC, filter
 * stored `[kH, kW, out, in]` as tfjs `conv2dTranspose` reads it.
 */
export class ConvTranspose2d {
  readonly filter: tf.Variable;
  readonly bias: tf.Variable;
  readonly parameters: readonly Parameter[];
  readonly #options: ConvTranspose2dOptions;

  constructor(options: ConvTranspose2dOptions) {
    const { name, inChannels, outChannels, kernelSize: k, seed } = options;
    this.#options = options;
    this.filter = createVariable([k, k, outChannels, inChannels], options.weightInit, seed);
    this.bias = createVariable([outChannels], options.biasInit, seed === undefined ? undefined : seed + 1);
    const torchShape = [inChannels, outChannels, k, k];
    this.parameters = [
      {
        name: `${name}.weight`,
        aliases: [],
        torchShape,
        variable: this.filter,
        fromTorch: (data) => torchToTfjsLayout(data, torchShape),
      },
      {
        name: `${name}.bias`,
        aliases: [],
        torchShape: [outChannels],
        variable: this.bias,
        fromTorch: (d) => d,
      },
    ];
  }

  /** @param x `[N, H, W, inChannels]`. @returns `[N, H', W', outChannels]`; caller owns. */
  apply(x: tf.Tensor4D, activation: 'linear' | 'relu'): tf.Tensor4D {
    const { kernelSize: k, stride, padding, outChannels } = this.#options;
    return tf.tidy(() => {
      const [n, h, w] = x.shape;
      const outputShape: [number, number, number, number] = [
        n,
        (h - 1) * stride - 2 * padding + k,
        (w - 1) * stride - 2 * padding + k,
        outChannels,
      ];
      const y = tf.add(
        tf.conv2dTranspose(x, this.filter as tf.Tensor4D, outputShape, stride, padding),
        this.bias,
      );
      return (activation === 'relu' ? tf.relu(y) : y) as tf.Tensor4D;
    });
  }
}
