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
    const { kernelSize: k, stride, padding } = this.#options;
    return tf.tidy(() => {
      const y = tf.add(k === stride && padding === 0 ? this.#nonOverlapping(x) : this.#general(x), this.bias);
      return (activation === 'relu' ? tf.relu(y) : y) as tf.Tensor4D;
    });
  }

  #general(x: tf.Tensor4D): tf.Tensor4D {
    const { kernelSize: k, stride, padding, outChannels } = this.#options;
    const [n, h, w] = x.shape;
    const outputShape: [number, number, number, number] = [
      n,
      (h - 1) * stride - 2 * padding + k,
      (w - 1) * stride - 2 * padding + k,
      outChannels,
    ];
    return tf.conv2dTranspose(x, this.filter as tf.Tensor4D, outputShape, stride, padding);
  }

  /**
   * kernel == stride, no padding (the mask predictor's 2x2 stride-2 `conv5_mask`): every input
   * pixel writes its own k x k output block, out[i*k+dy, j*k+dx, o] = sum_c x[i, j, c] f[dy, dx, o, c],
   * so the layer is one matmul [N*H*W, in] x [in, k*k*out] and a block rearrangement. tfjs-wasm's
   * conv2dTranspose ran this layer at ~4 GFLOP/s (3.2 s of a 16 s Mask R-CNN); matMul runs ~30.
   * Reshape/transpose only (no depthToSpace), so gradients flow for training.
   */
  #nonOverlapping(x: tf.Tensor4D): tf.Tensor4D {
    const { kernelSize: k, inChannels, outChannels } = this.#options;
    const [n, h, w] = x.shape;
    // filter [k, k, out, in] -> [in, (dy, dx, out)]
    const weight = tf.reshape(tf.transpose(this.filter, [3, 0, 1, 2]), [inChannels, k * k * outChannels]);
    const blocks = tf.matMul(tf.reshape(x, [n * h * w, inChannels]), weight as tf.Tensor2D);
    // [(n, i), j, dy, (dx, out)] -> [(n, i), dy, j, (dx, out)] -> [n, i*k + dy, j*k + dx, out]
    const rows = tf.transpose(tf.reshape(blocks, [n * h, w, k, k * outChannels]), [0, 2, 1, 3]);
    return tf.reshape(rows, [n, h * k, w * k, outChannels]);
  }
}
