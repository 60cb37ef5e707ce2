import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import type { ConvActivation } from './conv2d-op';
import { Module } from './module';
import type { Initializer, Parameter } from './parameter';

/** Options of {@link ConvTranspose2d} (torch `nn.ConvTranspose2d` arguments; no groups, dilation or output padding). */
export interface ConvTranspose2dOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Square kernel side. */
  readonly kernelSize: number;
  /** Default 1. */
  readonly stride?: number;
  /** torch's `padding`: the output side is `(H - 1) * stride - 2 * padding + kernelSize`. Default 0. */
  readonly padding?: number;
  /** Whether it has a `bias` entry. Default true (torch). */
  readonly bias?: boolean;
  /**
   * Default torch's: uniform ±1/sqrt(fan_in), where torch computes a transposed conv's fan_in
   * from its weight `[in, out, k, k]` as `out * k * k`.
   */
  readonly weightInit?: Initializer;
  /** Default torch's: uniform ±1/sqrt(out * k * k). */
  readonly biasInit?: Initializer;
}

/**
 * torch `nn.ConvTranspose2d` in NHWC: `weight` `[in, out, k, k]` held `[k, k, out, in]` (the
 * filter tfjs `conv2dTranspose` reads), optional `bias` `[out]`. When kernel == stride and there
 * is no padding (Mask R-CNN's 2x2 stride-2 `conv5_mask`) it runs as one matmul and a block
 * rearrangement instead (see {@link ConvTranspose2d.forward}).
 */
export class ConvTranspose2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;

  constructor(options: ConvTranspose2dOptions) {
    super();
    const { inChannels, outChannels, kernelSize, stride = 1, padding = 0 } = options;
    const positive = [inChannels, outChannels, kernelSize, stride].every((n) => Number.isInteger(n) && n > 0);
    if (!positive || !Number.isInteger(padding) || padding < 0) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `ConvTranspose2d: channels ${inChannels} -> ${outChannels}, kernel ${kernelSize}, stride ${stride} must be positive integers, padding ${padding} a non-negative one`,
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    const bound = 1 / Math.sqrt(outChannels * kernelSize * kernelSize);
    this.weight = this.addParameter({
      name: 'weight',
      torchShape: [inChannels, outChannels, kernelSize, kernelSize],
      init: options.weightInit ?? { kind: 'uniform', bound },
    });
    this.bias =
      (options.bias ?? true)
        ? this.addParameter({
            name: 'bias',
            torchShape: [outChannels],
            init: options.biasInit ?? { kind: 'uniform', bound },
          })
        : undefined;
  }

  /**
   * @param x `[N, H, W, inChannels]` float32; not disposed
   * @returns `[N, H', W', outChannels]`, `H' = (H - 1) * stride - 2 * padding + kernelSize`;
   *   caller owns. Differentiable.
   */
  forward(x: tf.Tensor4D, activation: ConvActivation = 'linear'): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) {
      throw new RcnnError(
        'INVALID_SHAPE',
        `ConvTranspose2d expects [N, H, W, ${this.inChannels}], got [${x.shape.join(', ')}]`,
      );
    }
    const { kernelSize, stride, padding } = this;
    return tf.tidy(() => {
      let y = kernelSize === stride && padding === 0 ? this.#nonOverlapping(x) : this.#general(x);
      if (this.bias) y = tf.add(y, this.bias.variable);
      return activation === 'relu' ? tf.relu(y) : y;
    });
  }

  #general(x: tf.Tensor4D): tf.Tensor4D {
    const { kernelSize, stride, padding, outChannels } = this;
    const [batch, height, width] = x.shape;
    const outputShape: [number, number, number, number] = [
      batch,
      (height - 1) * stride - 2 * padding + kernelSize,
      (width - 1) * stride - 2 * padding + kernelSize,
      outChannels,
    ];
    return tf.conv2dTranspose(x, this.weight.variable as tf.Tensor4D, outputShape, stride, padding);
  }

  /**
   * kernel == stride, no padding: every input pixel writes its own k x k output block,
   * `out[i*k + dy, j*k + dx, o] = sum_c x[i, j, c] f[dy, dx, o, c]`, so the layer is one matmul
   * `[N*H*W, in] x [in, k*k*out]` and a block rearrangement. tfjs-wasm's conv2dTranspose ran
   * Mask R-CNN's `conv5_mask` at ~4 GFLOP/s, matMul at ~30. Reshape/transpose only, so
   * gradients flow.
   */
  #nonOverlapping(x: tf.Tensor4D): tf.Tensor4D {
    const { kernelSize: k, inChannels, outChannels } = this;
    const [batch, height, width] = x.shape;
    // filter [k, k, out, in] -> [in, (dy, dx, out)]
    const filter = tf.transpose(this.weight.variable, [3, 0, 1, 2]);
    const weight = tf.reshape(filter, [inChannels, k * k * outChannels]) as tf.Tensor2D;
    const blocks = tf.matMul(tf.reshape(x, [batch * height * width, inChannels]) as tf.Tensor2D, weight);
    // [(n, i), j, dy, (dx, out)] -> [(n, i), dy, j, (dx, out)] -> [n, i*k + dy, j*k + dx, out]
    const rows = tf.transpose(tf.reshape(blocks, [batch * height, width, k, k * outChannels]), [0, 2, 1, 3]);
    return tf.reshape(rows, [batch, height * k, width * k, outChannels]);
  }
}
