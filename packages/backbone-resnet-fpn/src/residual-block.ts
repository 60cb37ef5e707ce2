import * as tf from '@tensorflow/tfjs-core';
import type { CheckedWeights } from './checked-weights';
import { type ConvGeometry, ConvLayer } from './conv-layer';
import { foldFrozenBatchNorm } from './fold-frozen-batch-norm';
import type { ResidualBlockKind } from './resnet-architecture';

/**
 * Builds a ConvLayer from `<conv>.weight` with the FrozenBatchNorm `<norm>.*` folded in.
 * @param weights checked entries, names without the checkpoint prefix
 */
export function loadFoldedConv(
  weights: CheckedWeights,
  conv: string,
  norm: string,
  geometry: ConvGeometry,
  epsilon: number,
): ConvLayer {
  const { data, shape } = weights.get(`${conv}.weight`);
  const folded = foldFrozenBatchNorm(
    { weight: data, shape: shape as [number, number, number, number] },
    {
      weight: weights.get(`${norm}.weight`).data,
      bias: weights.get(`${norm}.bias`).data,
      runningMean: weights.get(`${norm}.running_mean`).data,
      runningVar: weights.get(`${norm}.running_var`).data,
    },
    epsilon,
  );
  return new ConvLayer(folded, geometry);
}

/**
 * One torchvision `resnet.py` BasicBlock (3x3, 3x3) or Bottleneck (1x1, 3x3 with the stride and
 * groups, 1x1), norms folded, plus the optional projection shortcut (`downsample`).
 * `relu(convs(x) + shortcut(x))`.
 */
export class ResidualBlock {
  constructor(
    /** In order; every one but the last is followed by ReLU. */
    readonly convs: readonly ConvLayer[],
    readonly downsample: ConvLayer | undefined,
  ) {}

  /**
   * @param name the block's name without prefix, e.g. `body.layer2.0`
   * @param downsample whether the checkpoint has `<name>.downsample.{0,1}` (torchvision's rule)
   */
  static load(
    weights: CheckedWeights,
    name: string,
    kind: ResidualBlockKind,
    {
      stride,
      groups,
      downsample,
      epsilon,
    }: { stride: number; groups: number; downsample: boolean; epsilon: number },
  ): ResidualBlock {
    const geometries: ConvGeometry[] =
      kind === 'basic'
        ? [
            { stride, padding: 1 },
            { stride: 1, padding: 1 },
          ]
        : [
            { stride: 1, padding: 0 },
            { stride, padding: 1, groups },
            { stride: 1, padding: 0 },
          ];
    const convs: ConvLayer[] = [];
    try {
      geometries.forEach((geometry, i) => {
        convs.push(loadFoldedConv(weights, `${name}.conv${i + 1}`, `${name}.bn${i + 1}`, geometry, epsilon));
      });
      const shortcut = downsample
        ? loadFoldedConv(
            weights,
            `${name}.downsample.0`,
            `${name}.downsample.1`,
            { stride, padding: 0 },
            epsilon,
          )
        : undefined;
      return new ResidualBlock(convs, shortcut);
    } catch (error) {
      for (const conv of convs) conv.dispose();
      throw error;
    }
  }

  /** @param x `[B, H, W, C]`, not disposed. @returns `[B, H/stride, W/stride, C']`; caller owns. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      this.convs.forEach((conv, i) => {
        y = conv.apply(y, i < this.convs.length - 1 ? 'relu' : 'linear');
      });
      const shortcut = this.downsample ? this.downsample.apply(x, 'linear') : x;
      return tf.relu(tf.add<tf.Tensor4D>(y, shortcut));
    });
  }

  dispose(): void {
    for (const conv of this.convs) conv.dispose();
    this.downsample?.dispose();
  }
}
