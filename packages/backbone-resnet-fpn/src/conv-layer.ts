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
 * Grouped convolutions with at most this many outputs per group run as one depthwise conv
 * (channel multiplier = outputs per group) plus a per-group sum; the intermediate is this many
 * times the output, so wider groups run as one conv per channel slice instead.
 */
const DEPTHWISE_MAX_GROUP_OUTPUTS = 16;

/**
 * One convolution with its bias (a folded norm, or the conv's own), NHWC, weights held as
 * HWIO tensors transposed once at construction. Matches torch `nn.Conv2d` including stride-2
 * convolutions on even sizes: the padding is the explicit torch one (TF's 'same' pads
 * asymmetrically there and would shift every stride-2 output by half a pixel).
 *
 * Grouped convolution (ResNeXt; tfjs has no `groups`) runs either as a depthwise conv whose
 * channel multiplier produces every output of the input channel's group, summed per group, or
 * (more than 16 outputs per group) as one conv per group on channel slices, concatenated.
 * Measured on wasm (docs/benchmarks/backbone-resnet-fpn.md), slicing channels is the expensive
 * part (tfjs-wasm's Slice copies per pixel in JS), which the depthwise form avoids.
 */
export class ConvLayer {
  /** Dense: `[[kH, kW, I, O]]`; sliced groups: `[kH, kW, I/groups, O/groups]` per group; depthwise: `[[kH, kW, I, O/groups]]`. */
  private readonly filters: tf.Tensor4D[] = [];
  /** `[O]`, or `[O/groups]` per group when sliced. */
  private readonly biases: tf.Tensor1D[] = [];
  private readonly grouping: 'dense' | 'depthwise' | 'sliced';
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
    const [outChannels, groupIn, kernelHeight, kernelWidth] = weights.shape;
    this.groups = geometry.groups ?? 1;
    this.stride = geometry.stride;
    this.padding = geometry.padding;
    this.inChannels = groupIn * this.groups;
    this.outChannels = outChannels;
    this.kernelSize = [kernelHeight, kernelWidth];
    const groupOut = outChannels / this.groups;
    const bias = weights.bias ?? new Float32Array(outChannels);
    if (this.groups === 1) {
      this.grouping = 'dense';
      const filter = oihwToHwio(weights.weight, weights.shape, weights.outputScale);
      this.filters.push(tf.tensor4d(filter, [kernelHeight, kernelWidth, groupIn, outChannels]));
      this.biases.push(tf.tensor1d(bias));
    } else if (groupOut <= DEPTHWISE_MAX_GROUP_OUTPUTS) {
      this.grouping = 'depthwise';
      this.filters.push(
        tf.tensor4d(depthwiseFilter(weights, this.groups), [
          kernelHeight,
          kernelWidth,
          this.inChannels,
          groupOut,
        ]),
      );
      this.biases.push(tf.tensor1d(bias));
    } else {
      this.grouping = 'sliced';
      const perGroup = groupOut * groupIn * kernelHeight * kernelWidth;
      for (let g = 0; g < this.groups; g++) {
        const shape = [groupOut, groupIn, kernelHeight, kernelWidth] as const;
        const weight = weights.weight.subarray(g * perGroup, (g + 1) * perGroup);
        const scale = weights.outputScale?.subarray(g * groupOut, (g + 1) * groupOut);
        this.filters.push(
          tf.tensor4d(oihwToHwio(weight, shape, scale), [kernelHeight, kernelWidth, groupIn, groupOut]),
        );
        this.biases.push(tf.tensor1d(bias.slice(g * groupOut, (g + 1) * groupOut)));
      }
    }
  }

  /**
   * @param x `[B, H, W, inChannels]` float32; not disposed.
   * @returns `[B, H', W', outChannels]` with `H' = floor((H + 2 * padding - kH) / stride) + 1`; caller owns.
   */
  apply(x: tf.Tensor4D, activation: 'relu' | 'linear'): tf.Tensor4D {
    return tf.tidy(() => {
      const { stride: strides, padding: pad } = this;
      if (this.grouping === 'depthwise') {
        const products = tf.depthwiseConv2d(x, this.filters[0]!, strides, pad);
        const [batch, height, width] = products.shape;
        const groupIn = this.inChannels / this.groups;
        const groupOut = this.outChannels / this.groups;
        const grouped = tf.reshape(products, [batch, height, width, this.groups, groupIn, groupOut]);
        const summed = tf.reshape(tf.sum(grouped, 4), [batch, height, width, this.outChannels]);
        const biased = tf.add<tf.Tensor4D>(summed, this.biases[0]!);
        return activation === 'relu' ? tf.relu(biased) : biased;
      }
      const inputs = this.grouping === 'dense' ? [x] : (tf.split(x, this.groups, 3) as tf.Tensor4D[]);
      const outputs = inputs.map((input, g) =>
        tf.fused.conv2d<tf.Tensor4D>({
          x: input,
          filter: this.filters[g]!,
          strides,
          pad,
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
    const perOutput = (this.inChannels / this.groups) * kernelHeight * kernelWidth;
    return 2 * outHeight * outWidth * this.outChannels * perOutput;
  }

  dispose(): void {
    tf.dispose([...this.filters, ...this.biases]);
  }
}

/**
 * `[kH, kW, I, O/groups]` depthwise filter of a grouped conv: input channel `c = g * I/groups + i`
 * with multiplier `m` holds `W[g * O/groups + m, i] * outputScale`, so depthwise output channel
 * `c * O/groups + m` is input `i`'s contribution to output `m` of group `g`.
 */
function depthwiseFilter(weights: TorchConvWeights, groups: number): Float32Array {
  const [outChannels, groupIn, kernelHeight, kernelWidth] = weights.shape;
  const groupOut = outChannels / groups;
  const inChannels = groupIn * groups;
  const taps = kernelHeight * kernelWidth;
  const filter = new Float32Array(taps * inChannels * groupOut);
  for (let o = 0; o < outChannels; o++) {
    const firstInput = Math.floor(o / groupOut) * groupIn;
    const multiplier = o % groupOut;
    const scale = weights.outputScale ? weights.outputScale[o]! : 1;
    for (let i = 0; i < groupIn; i++) {
      for (let tap = 0; tap < taps; tap++) {
        const source = (o * groupIn + i) * taps + tap;
        filter[(tap * inChannels + firstInput + i) * groupOut + multiplier] = weights.weight[source]! * scale;
      }
    }
  }
  return filter;
}
