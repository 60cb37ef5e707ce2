import * as tf from '@tensorflow/tfjs-core';
import { oihwToHwio, type TorchConvWeights } from './fold-frozen-batch-norm';

/** Geometry of a torch `nn.Conv2d`: explicit symmetric zero padding, as torchvision's ResNet and FPN use. */
export interface ConvGeometry {
  readonly stride: number;
  /** Zero padding on every side (torch `padding`): 3 for the 7x7 stem, 1 for 3x3, 0 for 1x1. */
  readonly padding: number;
  /** torch `groups`: input and output channels split into this many independent convolutions. */
  readonly groups?: number;
}

/**
 * One convolution with its bias (a folded norm, or the conv's own), NHWC, weights held as
 * HWIO tensors transposed once at construction. Matches torch `nn.Conv2d` including stride-2
 * convolutions on even sizes: the padding is the explicit torch one (TF's 'same' pads
 * asymmetrically there and would shift every stride-2 output by half a pixel).
 *
 * Grouped convolution (ResNeXt) runs as `groups` convolutions on channel slices, concatenated:
 * tfjs has no `groups` argument; measured on wasm this beat a block-diagonal dense filter
 * (groups x the FLOPs), a depthwise conv followed by a per-group sum, and im2col + batched matMul.
 */
export class ConvLayer {
  /** `[kH, kW, I/groups, O]` per group (one entry when groups is 1). */
  private readonly filters: tf.Tensor4D[];
  /** `[O]` per group. */
  private readonly biases: tf.Tensor1D[];
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly stride: number;
  readonly padding: number;
  readonly groups: number;

  /**
   * @param weights torch layout `[O, I/groups, kH, kW]`, with `[O]` bias (none: zero bias) and
   *   optional `[O]` output scale (a folded norm). The arrays are copied; the caller keeps them.
   */
  constructor(weights: TorchConvWeights, geometry: ConvGeometry) {
    const [outChannels, groupInChannels, kernelHeight, kernelWidth] = weights.shape;
    this.groups = geometry.groups ?? 1;
    this.stride = geometry.stride;
    this.padding = geometry.padding;
    this.inChannels = groupInChannels * this.groups;
    this.outChannels = outChannels;
    this.kernelSize = [kernelHeight, kernelWidth];
    const groupOut = outChannels / this.groups;
    const perOutput = groupInChannels * kernelHeight * kernelWidth;
    const bias = weights.bias ?? new Float32Array(outChannels);
    this.filters = [];
    this.biases = [];
    for (let g = 0; g < this.groups; g++) {
      const shape = [groupOut, groupInChannels, kernelHeight, kernelWidth] as const;
      const slice = weights.weight.subarray(g * groupOut * perOutput, (g + 1) * groupOut * perOutput);
      const scale = weights.outputScale?.subarray(g * groupOut, (g + 1) * groupOut);
      const filter = oihwToHwio(slice, shape, scale);
      this.filters.push(tf.tensor4d(filter, [kernelHeight, kernelWidth, groupInChannels, groupOut]));
      this.biases.push(tf.tensor1d(bias.slice(g * groupOut, (g + 1) * groupOut)));
    }
  }

  /**
   * @param x `[B, H, W, inChannels]` float32; not disposed.
   * @returns `[B, H', W', outChannels]` with `H' = floor((H + 2 * padding - kH) / stride) + 1`; caller owns.
   */
  apply(x: tf.Tensor4D, activation: 'relu' | 'linear'): tf.Tensor4D {
    return tf.tidy(() => {
      const inputs = this.groups === 1 ? [x] : (tf.split(x, this.groups, 3) as tf.Tensor4D[]);
      const outputs = inputs.map((input, g) =>
        tf.fused.conv2d<tf.Tensor4D>({
          x: input,
          filter: this.filters[g]!,
          strides: this.stride,
          pad: this.padding,
          bias: this.biases[g]!,
          activation,
        }),
      );
      return outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 3);
    });
  }

  /** Multiply-adds x 2 of one application producing an `outHeight x outWidth` map per image. */
  flops(outHeight: number, outWidth: number): number {
    const [kernelHeight, kernelWidth] = this.kernelSize;
    return (
      2 *
      outHeight *
      outWidth *
      this.outChannels *
      (this.inChannels / this.groups) *
      kernelHeight *
      kernelWidth
    );
  }

  dispose(): void {
    tf.dispose([...this.filters, ...this.biases]);
  }
}
