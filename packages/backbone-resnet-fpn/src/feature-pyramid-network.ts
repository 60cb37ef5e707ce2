import { RcnnError } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { CheckedWeights } from './checked-weights';
import { ConvLayer } from './conv-layer';
import { upsampleNearest } from './upsample-nearest';

/**
 * torchvision's `ops/feature_pyramid_network.py::FeaturePyramidNetwork` with `norm_layer=None`:
 * 1x1 lateral convs (`inner_blocks`) to `outChannels`, a top-down path adding each coarser
 * merged map resized (nearest) to the lateral's size, 3x3 output convs (`layer_blocks`), and
 * optionally `LastLevelMaxPool` (max pool kernel 1, stride 2 of the coarsest output).
 */
export class FeaturePyramidNetwork {
  constructor(
    /** 1x1 convs, one per input level, finest first. */
    readonly innerBlocks: readonly ConvLayer[],
    /** 3x3 convs, one per input level, finest first. */
    readonly layerBlocks: readonly ConvLayer[],
    readonly extraBlocks: 'maxpool' | 'none',
  ) {
    if (innerBlocks.length === 0 || innerBlocks.length !== layerBlocks.length) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `FPN needs one inner and one layer block per level, got ${innerBlocks.length} and ${layerBlocks.length}`,
      );
    }
  }

  /**
   * @param weights checked entries with `fpn.inner_blocks.i.0.*` / `fpn.layer_blocks.i.0.*` (no prefix)
   * @param levels number of input levels
   */
  static load(
    weights: CheckedWeights,
    levels: number,
    extraBlocks: 'maxpool' | 'none',
  ): FeaturePyramidNetwork {
    const convs: ConvLayer[] = [];
    const conv = (name: string, padding: number): ConvLayer => {
      const weight = weights.get(`${name}.0.weight`);
      const layer = new ConvLayer(
        {
          weight: weight.data,
          shape: weight.shape as [number, number, number, number],
          bias: weights.get(`${name}.0.bias`).data,
        },
        { stride: 1, padding },
      );
      convs.push(layer);
      return layer;
    };
    try {
      const inner = Array.from({ length: levels }, (_, i) => conv(`fpn.inner_blocks.${i}`, 0));
      const layer = Array.from({ length: levels }, (_, i) => conv(`fpn.layer_blocks.${i}`, 1));
      return new FeaturePyramidNetwork(inner, layer, extraBlocks);
    } catch (error) {
      for (const c of convs) c.dispose();
      throw error;
    }
  }

  /** Output levels: one per input, plus one when extraBlocks is `'maxpool'`. */
  get outputCount(): number {
    return this.innerBlocks.length + (this.extraBlocks === 'maxpool' ? 1 : 0);
  }

  /**
   * @param features `[B, H_i, W_i, C_i]` per level, finest first (C2..C5); not disposed.
   * @returns `[B, H_i, W_i, outChannels]` per level finest first, then the pooled level
   *   `[B, ceil(H/2), ceil(W/2), outChannels]` of the coarsest; caller owns.
   */
  forward(features: readonly tf.Tensor4D[]): tf.Tensor4D[] {
    if (features.length !== this.innerBlocks.length) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `FPN was built for ${this.innerBlocks.length} levels, got ${features.length} feature maps`,
      );
    }
    features.forEach((feature, i) => {
      const expected = this.innerBlocks[i]!.inChannels;
      if (feature.rank !== 4 || feature.shape[3] !== expected) {
        throw new RcnnError(
          'INVALID_SHAPE',
          `FPN level ${i} expects [B, H, W, ${expected}], got [${feature.shape.join(', ')}]`,
        );
      }
    });
    return tf.tidy(() => {
      const last = features.length - 1;
      let merged = this.innerBlocks[last]!.apply(features[last]!, 'linear');
      const results: tf.Tensor4D[] = [this.layerBlocks[last]!.apply(merged, 'linear')];
      for (let i = last - 1; i >= 0; i--) {
        const next = tf.tidy(() => {
          const lateral = this.innerBlocks[i]!.apply(features[i]!, 'linear');
          const [, height, width] = lateral.shape;
          return tf.add(lateral, upsampleNearest(merged, [height, width])) as tf.Tensor4D;
        });
        merged.dispose();
        merged = next;
        results.unshift(this.layerBlocks[i]!.apply(merged, 'linear'));
      }
      if (this.extraBlocks === 'maxpool') results.push(tf.maxPool(results[results.length - 1]!, 1, 2, 0));
      return results;
    });
  }

  dispose(): void {
    for (const conv of [...this.innerBlocks, ...this.layerBlocks]) conv.dispose();
  }
}
