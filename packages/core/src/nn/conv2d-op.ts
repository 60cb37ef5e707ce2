import * as tf from '@tensorflow/tfjs-core';
import { isRecordingGradients } from './recording';

/** A convolution's geometry in torch terms (`nn.Conv2d`): explicit symmetric zero padding. */
export interface ConvGeometry {
  readonly stride: number;
  /** Zero padding on every side (torch `padding`). */
  readonly padding: number;
  readonly dilation: number;
  /** torch `groups`: channels split into this many independent convolutions. */
  readonly groups: number;
}

/** Activation fused after the convolution. */
export type ConvActivation = 'linear' | 'relu';

/**
 * Grouped convolutions with at most this many outputs per group run as one depthwise conv
 * (channel multiplier = outputs per group) plus a per-group sum; wider groups run as one conv per
 * channel slice (measured on wasm: slicing inputs is the expensive part, which this form avoids).
 */
const DEPTHWISE_MAX_GROUP_OUTPUTS = 16;

/** How a conv with `outChannels` outputs in `groups` groups runs (see {@link prepareFilter}). */
export function filterGrouping(outChannels: number, groups: number): PreparedFilter['grouping'] {
  if (groups === 1) return 'dense';
  return outChannels / groups <= DEPTHWISE_MAX_GROUP_OUTPUTS ? 'depthwise' : 'sliced';
}

/** A filter in the layout(s) the kernels run: dense HWIO, depthwise `[kH, kW, I, O/groups]`, or one per group. */
export interface PreparedFilter {
  readonly grouping: 'dense' | 'depthwise' | 'sliced';
  readonly filters: tf.Tensor4D[];
}

/**
 * @param filter HWIO `[kH, kW, I/groups, O]` (the grouped conv's filter); not disposed
 * @returns the execution layout (dense: `filter` itself); new tensors are caller-owned (tidy)
 */
export function prepareFilter(filter: tf.Tensor4D, groups: number): PreparedFilter {
  const grouping = filterGrouping(filter.shape[3], groups);
  if (grouping === 'dense') return { grouping, filters: [filter] };
  const [kernelHeight, kernelWidth, groupIn, outChannels] = filter.shape;
  const groupOut = outChannels / groups;
  if (grouping === 'depthwise') {
    // D[.., g * groupIn + i, m] = W[.., i, g * groupOut + m]
    const split = tf.reshape(filter, [kernelHeight, kernelWidth, groupIn, groups, groupOut]);
    const ordered = tf.transpose(split, [0, 1, 3, 2, 4]);
    return {
      grouping: 'depthwise',
      filters: [tf.reshape(ordered, [kernelHeight, kernelWidth, groups * groupIn, groupOut])],
    };
  }
  return { grouping: 'sliced', filters: tf.split(filter, groups, 3) as tf.Tensor4D[] };
}

/**
 * torch `F.conv2d` (+ bias, + activation) in NHWC.
 * @param x `[B, H, W, I]`; not disposed
 * @param bias `[O]` or none
 * @returns `[B, H', W', O]`, `H' = floor((H + 2p - d(k - 1) - 1) / s) + 1`; caller owns
 */
export function runConv2d(
  x: tf.Tensor4D,
  prepared: PreparedFilter,
  bias: tf.Tensor1D | undefined,
  geometry: ConvGeometry,
  activation: ConvActivation,
): tf.Tensor4D {
  return tf.tidy(() => {
    const { stride: strides, padding: pad, groups } = geometry;
    // tfjs has no gradient for dilated convs: while recording, dilate the filter instead.
    const dilateFilter = geometry.dilation > 1 && isRecordingGradients();
    const dilations = dilateFilter ? 1 : geometry.dilation;
    const execution: PreparedFilter = dilateFilter
      ? {
          grouping: prepared.grouping,
          filters: prepared.filters.map((f) => dilatedFilter(f, geometry.dilation)),
        }
      : prepared;
    if (execution.grouping === 'depthwise') {
      const products = tf.depthwiseConv2d(x, execution.filters[0]!, strides, pad, 'NHWC', dilations);
      const [batch, height, width, channels] = products.shape;
      const groupOut = execution.filters[0]!.shape[3];
      const inChannels = channels / groupOut;
      const grouped = tf.reshape(products, [batch, height, width, groups, inChannels / groups, groupOut]);
      let y = tf.reshape(tf.sum(grouped, 4), [batch, height, width, groups * groupOut]) as tf.Tensor4D;
      if (bias) y = tf.add(y, bias);
      return activation === 'relu' ? tf.relu(y) : y;
    }
    const inputs = execution.grouping === 'dense' ? [x] : (tf.split(x, groups, 3) as tf.Tensor4D[]);
    const biases =
      bias && execution.grouping === 'sliced' ? (tf.split(bias, groups) as tf.Tensor1D[]) : [bias];
    const outputs = inputs.map((input, g) => {
      const filter = execution.filters[g]!;
      const groupBias = biases[g];
      if (dilations === 1) {
        return tf.fused.conv2d<tf.Tensor4D>({
          x: input,
          filter,
          strides,
          pad,
          ...(groupBias ? { bias: groupBias } : {}),
          activation,
        });
      }
      // tfjs's fused conv has no gradient for dilation > 1.
      let y = tf.conv2d(input, filter, strides, pad, 'NHWC', dilations);
      if (groupBias) y = tf.add(y, groupBias);
      return activation === 'relu' ? tf.relu(y) : y;
    });
    return outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 3);
  });
}

/**
 * `[kH, kW, I, O]` -> `[d(kH - 1) + 1, d(kW - 1) + 1, I, O]` with `d - 1` zeros between taps:
 * a conv with it equals the dilated conv, through differentiable ops only.
 */
function dilatedFilter(filter: tf.Tensor4D, dilation: number): tf.Tensor4D {
  const [kernelHeight, kernelWidth, inChannels, outChannels] = filter.shape;
  const spread = tf.pad(tf.reshape(filter, [kernelHeight, 1, kernelWidth, 1, inChannels, outChannels]), [
    [0, 0],
    [0, dilation - 1],
    [0, 0],
    [0, dilation - 1],
    [0, 0],
    [0, 0],
  ]);
  const grid = tf.reshape(spread, [kernelHeight * dilation, kernelWidth * dilation, inChannels, outChannels]);
  return tf.slice(
    grid,
    [0, 0, 0, 0],
    [dilation * (kernelHeight - 1) + 1, dilation * (kernelWidth - 1) + 1, -1, -1],
  ) as tf.Tensor4D;
}
